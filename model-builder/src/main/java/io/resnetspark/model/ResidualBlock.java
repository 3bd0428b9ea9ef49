package io.resnetspark.model;

import java.util.List;

/**
 * torchvision's two residual blocks, each owning its structure as {@code BasicBlock} and {@code Bottleneck} do:
 * the convolutions of its residual branch, in order. The branch's last convolution has no ReLU of its own; the
 * shortcut joins after it and one ReLU follows the sum (see {@link BlockSpec}).
 */
public enum ResidualBlock {
  /** Two 3x3 convolutions, the first carrying the stride. torchvision refuses groups and width for it. */
  BASIC(1) {
    @Override
    List<ConvSpec> branch(String prefix, int inChannels, int planes, int stride, int groups, int widthPerGroup) {
      return List.of(
          new ConvSpec(prefix + ".conv1", prefix + ".bn1", inChannels, planes, 3, stride, 1, 1, true),
          new ConvSpec(prefix + ".conv2", prefix + ".bn2", planes, planes * expansion, 3, 1, 1, 1, false));
    }
  },
  /**
   * Bottleneck V1.5: 1x1 down to the inner width, 3x3 carrying the stride and the groups, 1x1 up to
   * {@code planes * 4}. The inner width is torchvision's {@code int(planes * (base_width / 64.)) * groups}.
   */
  BOTTLENECK(4) {
    @Override
    List<ConvSpec> branch(String prefix, int inChannels, int planes, int stride, int groups, int widthPerGroup) {
      int width = (int) (planes * (widthPerGroup / 64.0)) * groups;
      return List.of(
          new ConvSpec(prefix + ".conv1", prefix + ".bn1", inChannels, width, 1, 1, 0, 1, true),
          new ConvSpec(prefix + ".conv2", prefix + ".bn2", width, width, 3, stride, 1, groups, true),
          new ConvSpec(prefix + ".conv3", prefix + ".bn3", width, planes * expansion, 1, 1, 0, 1, false));
    }
  };

  /** The ratio of a block's output channels to its planes. */
  public final int expansion;

  ResidualBlock(int expansion) {
    this.expansion = expansion;
  }

  /** The residual branch of the block named {@code prefix} in the state_dict (e.g. {@code layer2.0}). */
  abstract List<ConvSpec> branch(String prefix, int inChannels, int planes, int stride, int groups,
                                 int widthPerGroup);

  /**
   * One block of this type: its branch and, where the stride or the channel count changes, the 1x1 projection
   * shortcut that torchvision's {@code _make_layer} gives it as {@code downsample}.
   */
  public BlockSpec block(String prefix, int stage, int inChannels, int planes, int stride, int groups,
                         int widthPerGroup) {
    int outChannels = planes * expansion;
    ConvSpec shortcut = stride != 1 || inChannels != outChannels
        ? new ConvSpec(prefix + ".downsample.0", prefix + ".downsample.1", inChannels, outChannels, 1, stride, 0, 1,
            false)
        : null;
    return new BlockSpec(prefix, stage, inChannels, outChannels, stride,
        branch(prefix, inChannels, planes, stride, groups, widthPerGroup), shortcut);
  }
}
