package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlockSpecTest {
  private static final BlockSpec BOTTLENECK = ResidualBlock.BOTTLENECK.block("layer3.0", 2, 512, 256, 2, 1, 64);

  @Test
  void convolutionsAreInStateDictOrderWithTheShortcutLast() {
    assertEquals(List.of("layer3.0.conv1", "layer3.0.conv2", "layer3.0.conv3", "layer3.0.downsample.0"),
        BOTTLENECK.convolutions().stream().map(ConvSpec::conv).toList());
  }

  @Test
  void theOutputSizeFollowsTheBranch() {
    assertEquals(14, BOTTLENECK.outputSize(28));
    assertEquals(15, BOTTLENECK.outputSize(29));
  }

  @Test
  void macsAddTheBranchAtItsSizesAndTheShortcut() {
    long expected = 28L * 28 * 256 * 512          // conv1, 1x1 at the input size
        + 14L * 14 * 256 * 256 * 9                // conv2, 3x3 stride 2
        + 14L * 14 * 1024 * 256                   // conv3, 1x1
        + 14L * 14 * 1024 * 512;                  // downsample, 1x1 stride 2
    assertEquals(expected, BOTTLENECK.macs(28, 28));
  }
}
