package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConvSpecTest {
  private static final ConvSpec GROUPED = new ConvSpec("layer1.0.conv2", "layer1.0.bn2", 128, 128, 3, 2, 1, 32, true);

  @Test
  void eachGroupsWeightSeesItsShareOfTheInputs() {
    assertArrayEquals(new long[] {128, 4, 3, 3}, GROUPED.weightShape());
    assertArrayEquals(new long[] {64, 3, 7, 7}, Architecture.STEM.weightShape());
  }

  @Test
  void outputSizeIsPyTorchsFloorFormula() {
    assertEquals(112, Architecture.STEM.outputSize(224));
    assertEquals(97, Architecture.STEM.outputSize(193));
    assertEquals(28, GROUPED.outputSize(56));
    assertEquals(29, GROUPED.outputSize(57));
  }

  @Test
  void macsCountEachOutputPixelTimesItsWindow() {
    assertEquals(112L * 112 * 64 * 3 * 7 * 7, Architecture.STEM.macs(224, 224));
    assertEquals(28L * 14 * 128 * 4 * 3 * 3, GROUPED.macs(56, 28));
  }
}
