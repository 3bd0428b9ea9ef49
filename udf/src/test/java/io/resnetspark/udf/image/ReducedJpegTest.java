package io.resnetspark.udf.image;

import io.resnetspark.udf.errors.ImageFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ReducedJpegTest {

  @ParameterizedTest(name = "{0}x{1} for {2}: 1/{3}")
  @CsvSource({
      "4000, 3000, 256, 8",
      "3000, 4000, 256, 8",
      "2047, 2047, 256, 8", // libjpeg rounds the scaled size up: ceil(2047 / 8) = 256
      "2040, 2040, 256, 4",
      "2000, 1500, 256, 4",
      "1096, 822, 256, 2",
      "511, 600, 256, 2", // ceil(511 / 2) = 256
      "509, 600, 256, 1",
      "8000, 6000, 232, 8"})
  void picksTheSmallestScaleStillCoveringTheResizeTarget(int w, int h, int resize, int denominator) {
    assertEquals(denominator, ReducedJpeg.scaleDenominator(w, h, resize));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"astronaut.jpg", "astronaut-progressive.jpg", "chelsea.jpg", "coffee-gray.jpg"})
  void atFullScaleItGivesTheExactPathsPixels(String file) throws ImageFailure {
    byte[] jpeg = Corpus.resource("/images/parity/" + file);

    RgbImage native1 = ReducedJpeg.decode(jpeg, 1);

    RgbImage exact = new ImageDecoder(ImageLimits.defaults()).decode(jpeg);
    assertEquals(exact.width() + "x" + exact.height(), native1.width() + "x" + native1.height());
    assertArrayEquals(exact.pixels(), native1.pixels());
  }

  @Test
  void decodesAtAQuarterOfTheSize() throws ImageFailure {
    RgbImage quarter = ReducedJpeg.decode(Corpus.resource("/images/photos/chelsea-3MP.jpg"), 4);

    assertEquals("500x375", quarter.width() + "x" + quarter.height());
  }
}
