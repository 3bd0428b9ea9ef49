package io.resnetspark.udf.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageLimitsTest {

  @Test
  void defaultsAreOneHundredMegapixelsAndSixtyFourMebibytes() {
    assertEquals(100_000_000L, ImageLimits.defaults().maxPixels());
    assertEquals(64L * 1024 * 1024, ImageLimits.defaults().maxBytes());
  }

  @Test
  void limitsMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ImageLimits(0, 10));
    assertTrue(e.getMessage().contains("maxPixels=0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ImageLimits(10, -1));
  }

  @Test
  void pixelLimitCannotExceedWhatOneRgbArrayHolds() {
    new ImageLimits(ImageLimits.MAX_SUPPORTED_PIXELS, 10);

    assertThrows(IllegalArgumentException.class, () -> new ImageLimits(ImageLimits.MAX_SUPPORTED_PIXELS + 1, 10));
  }
}
