package io.resnetspark.model;

import java.util.ArrayList;
import java.util.List;

/**
 * One residual block of a network: {@code relu(branch(x) + shortcut(x))}, where the branch runs its convolutions in
 * order and the shortcut is the identity or, when {@link #projection()}, a 1x1 convolution with its batch norm.
 */
public record BlockSpec(String prefix, int stage, int inChannels, int outChannels, int stride, List<ConvSpec> branch,
                        ConvSpec shortcut) {

  public BlockSpec {
    branch = List.copyOf(branch);
  }

  /** Whether the shortcut is a projection rather than the identity. */
  public boolean projection() {
    return shortcut != null;
  }

  /** Every convolution of the block in torchvision's state_dict order: the branch, then the shortcut. */
  public List<ConvSpec> convolutions() {
    List<ConvSpec> all = new ArrayList<>(branch);
    if (shortcut != null) {
      all.add(shortcut);
    }
    return all;
  }

  /** Output side for an input side of {@code n} pixels. */
  public int outputSize(int n) {
    for (ConvSpec c : branch) {
      n = c.outputSize(n);
    }
    return n;
  }

  /** Multiply-accumulates of the block's convolutions on an {@code height x width} input. */
  public long macs(int height, int width) {
    long macs = shortcut == null ? 0 : shortcut.macs(height, width);
    for (ConvSpec c : branch) {
      macs += c.macs(height, width);
      height = c.outputSize(height);
      width = c.outputSize(width);
    }
    return macs;
  }
}
