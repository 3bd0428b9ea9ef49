package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each block type owns its convolutions, as torchvision's BasicBlock and Bottleneck do. */
class ResidualBlockTest {
  @Test
  void aBasicBlockIsTwo3x3ConvolutionsWithTheStrideOnTheFirst() {
    BlockSpec b = ResidualBlock.BASIC.block("layer2.0", 1, 64, 128, 2, 1, 64);
    assertEquals(List.of(
        new ConvSpec("layer2.0.conv1", "layer2.0.bn1", 64, 128, 3, 2, 1, 1, true),
        new ConvSpec("layer2.0.conv2", "layer2.0.bn2", 128, 128, 3, 1, 1, 1, false)), b.branch());
    assertEquals(new ConvSpec("layer2.0.downsample.0", "layer2.0.downsample.1", 64, 128, 1, 2, 0, 1, false),
        b.shortcut());
  }

  @Test
  void aBottleneckCarriesStrideAndGroupsOnIts3x3AndWidensFourTimes() {
    // resnext50_32x4d's layer2.0: inner width int(128 * 4 / 64) * 32 = 256, output 128 * 4 = 512
    BlockSpec b = ResidualBlock.BOTTLENECK.block("layer2.0", 1, 256, 128, 2, 32, 4);
    assertEquals(List.of(
        new ConvSpec("layer2.0.conv1", "layer2.0.bn1", 256, 256, 1, 1, 0, 1, true),
        new ConvSpec("layer2.0.conv2", "layer2.0.bn2", 256, 256, 3, 2, 1, 32, true),
        new ConvSpec("layer2.0.conv3", "layer2.0.bn3", 256, 512, 1, 1, 0, 1, false)), b.branch());
    assertEquals(512, b.outChannels());
    assertTrue(b.projection());
  }

  @Test
  void theShortcutIsTheIdentityWhenStrideAndChannelsStay() {
    BlockSpec basic = ResidualBlock.BASIC.block("layer1.0", 0, 64, 64, 1, 1, 64);
    assertNull(basic.shortcut());
    assertFalse(basic.projection());
    assertTrue(ResidualBlock.BOTTLENECK.block("layer1.0", 0, 64, 64, 1, 1, 64).projection(),
        "a bottleneck widens 64 to 256 even at stride 1");
  }
}
