package io.resnetspark.udf.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Against values computed by Pillow 9.4 and torchvision 0.14 (scripts/make_preprocess_fixtures.py). */
class BilinearResizeTest {

  private static final JsonNode FIXTURES = load();

  static Stream<Arguments> pilResizes() {
    return cases("pil_resize", c -> size(c, "width", "height") + " to " + size(c, "out_width", "out_height"));
  }

  static Stream<Arguments> torchvisionResizeCrops() {
    return cases("torchvision_resize_crop",
        c -> size(c, "width", "height") + ", Resize(" + c.get("resize") + "), CenterCrop(" + c.get("crop") + ")");
  }

  static Stream<Arguments> torchvisionSizes() {
    return cases("torchvision_sizes", c -> size(c, "width", "height") + ", Resize(" + c.get("size") + ") gives "
        + size(c, "out_width", "out_height"));
  }

  static Stream<Arguments> torchvisionCropOffsets() {
    return cases("torchvision_crop_offsets", c -> "CenterCrop(" + c.get("crop") + ") of " + c.get("size"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pilResizes")
  void resizesExactlyLikePilBilinear(String name, JsonNode c) {
    RgbImage in = image(c, "pixels", c.get("width").asInt(), c.get("height").asInt());

    RgbImage out = BilinearResize.resize(in, c.get("out_width").asInt(), c.get("out_height").asInt());

    assertArrayEquals(bytes(c, "expected"), out.pixels());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("torchvisionResizeCrops")
  void resizesAndCropsExactlyLikeTorchvision(String name, JsonNode c) {
    RgbImage in = image(c, "pixels", c.get("width").asInt(), c.get("height").asInt());

    RgbImage out = BilinearResize.resizeAndCentreCrop(in, c.get("resize").asInt(), c.get("crop").asInt());

    assertEquals(c.get("crop").asInt(), out.width());
    assertEquals(c.get("crop").asInt(), out.height());
    assertArrayEquals(bytes(c, "expected"), out.pixels());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("torchvisionSizes")
  void shorterSideRuleTruncatesTheLongerSideLikeTorchvision(String name, JsonNode c) {
    int[] size = BilinearResize.shorterSideTo(c.get("width").asInt(), c.get("height").asInt(), c.get("size").asInt());

    assertArrayEquals(new int[] {c.get("out_width").asInt(), c.get("out_height").asInt()}, size);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("torchvisionCropOffsets")
  void centreCropOffsetRoundsHalfToEvenLikePython(String name, JsonNode c) {
    assertEquals(c.get("offset").asInt(), BilinearResize.centreCropOffset(c.get("size").asInt(), c.get("crop").asInt()));
  }

  @Test
  void aWindowIsTheSameAsTheMatchingPartOfTheWholeResize() {
    RgbImage in = image(FIXTURES.get("pil_resize").get(5), "pixels", 37, 23);
    RgbImage whole = BilinearResize.resize(in, 16, 10);

    RgbImage window = BilinearResize.resizeWindow(Window.whole(in), 16, 10, 3, 2, 9, 7);

    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 9; x++) {
        for (int ch = 0; ch < 3; ch++) {
          assertEquals(whole.sample(x + 3, y + 2, ch), window.sample(x, y, ch), "(" + x + "," + y + ")");
        }
      }
    }
  }

  @Test
  void sameSizeIsAnExactCopy() {
    RgbImage in = image(FIXTURES.get("pil_resize").get(4), "pixels", 50, 40);

    assertArrayEquals(in.pixels(), BilinearResize.resize(in, 50, 40).pixels());
  }

  @Test
  void refusesAWindowOutsideTheOutput() {
    RgbImage in = new RgbImage(4, 4, new byte[48]);

    assertThrows(IllegalArgumentException.class, () -> BilinearResize.resizeWindow(Window.whole(in), 8, 8, 4, 0, 5, 8));
    assertThrows(IllegalArgumentException.class, () -> BilinearResize.resizeAndCentreCrop(in, 8, 9));
  }

  @Test
  void aDctScaledImageIsResizedInTheFullImagesGeometry() {
    // 2049 rows: libjpeg's 1/8 has 257, the last standing for one row. A smooth ramp, averaged over 8x8 blocks as a
    // DC-only decode does, must land where the full image's resize puts it.
    RgbImage full = ramp(2732, 2049);
    ScaledImage eighth = new ScaledImage(blockMeans(full, 8), 2732, 2049, 8);

    RgbImage exact = BilinearResize.resizeAndCentreCrop(full, 256, 224);
    RgbImage fromScaled = BilinearResize.resizeAndCentreCrop(eighth, 256, 224);
    RgbImage scaledAsIfWhole = BilinearResize.resizeAndCentreCrop(eighth.pixels(), 256, 224);

    assertTrue(maxDifference(exact, fromScaled) <= 1, "in the full geometry: " + maxDifference(exact, fromScaled));
    // resized as if the 342x257 pixels were the image, the output is 340 wide, not 341, and slides
    assertTrue(maxDifference(exact, scaledAsIfWhole) >= 3, "as if whole: " + maxDifference(exact, scaledAsIfWhole));
  }

  @Test
  void theTriangleNarrowsByWhatTheDctScalingAlreadyBlurred() {
    // 4032 -> 341 from 1/8: together with the 8-pixel box of the scaling, the narrowed triangle spreads a pixel as
    // far (variance in full-image pixels) as the full image's own triangle
    double full = meanVariance(BilinearResize.Taps.of(4032, 341, 0, 341), 1);
    double scaled = meanVariance(BilinearResize.Taps.ofScaled(504, 4032, 341, 8, 0, 341), 8) + 64 / 12.0;
    double unchanged = meanVariance(BilinearResize.Taps.of(504, 341, 0, 341), 8) + 64 / 12.0;

    assertEquals(full, scaled, 0.05 * full);
    assertTrue(unchanged > 1.15 * full, "Pillow's triangle on the scaled pixels blurs more: " + unchanged);
  }

  /** The weights' variance around their mean position, averaged over the outputs, in units of {@code unit}. */
  private static double meanVariance(BilinearResize.Taps taps, double unit) {
    double sum = 0;
    for (int i = 0; i < taps.count(); i++) {
      double w = 0;
      double m = 0;
      double m2 = 0;
      for (int t = 0; t < taps.length(i); t++) {
        double x = (taps.first(i) + t) * unit;
        double k = taps.weights()[i * taps.kernelSize() + t];
        w += k;
        m += k * x;
        m2 += k * x * x;
      }
      sum += m2 / w - (m / w) * (m / w);
    }
    return sum / taps.count();
  }

  private static RgbImage ramp(int width, int height) {
    byte[] px = new byte[width * height * 3];
    for (int y = 0, o = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        px[o++] = (byte) (x * 255 / (width - 1));
        px[o++] = (byte) (y * 255 / (height - 1));
        px[o++] = (byte) (128 + 100 * Math.sin(2 * Math.PI * (x + y) / 1500.0));
      }
    }
    return new RgbImage(width, height, px);
  }

  /** Each d x d block's mean; the last row and column of blocks may be partial, and average what they hold. */
  private static RgbImage blockMeans(RgbImage in, int d) {
    int w = (in.width() + d - 1) / d;
    int h = (in.height() + d - 1) / d;
    byte[] out = new byte[w * h * 3];
    for (int by = 0; by < h; by++) {
      for (int bx = 0; bx < w; bx++) {
        for (int c = 0; c < 3; c++) {
          int sum = 0;
          int n = 0;
          for (int y = by * d; y < Math.min(by * d + d, in.height()); y++) {
            for (int x = bx * d; x < Math.min(bx * d + d, in.width()); x++) {
              sum += in.pixels()[(y * in.width() + x) * 3 + c] & 0xFF;
              n++;
            }
          }
          out[(by * w + bx) * 3 + c] = (byte) Math.round((double) sum / n);
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static int maxDifference(RgbImage a, RgbImage b) {
    assertEquals(a.width() + "x" + a.height(), b.width() + "x" + b.height());
    int max = 0;
    for (int i = 0; i < a.pixels().length; i++) {
      max = Math.max(max, Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF)));
    }
    return max;
  }

  private static RgbImage image(JsonNode c, String field, int width, int height) {
    return new RgbImage(width, height, bytes(c, field));
  }

  private static byte[] bytes(JsonNode c, String field) {
    return Base64.getDecoder().decode(c.get(field).asText());
  }

  private static Stream<Arguments> cases(String group, Function<JsonNode, String> name) {
    return StreamSupport.stream(FIXTURES.get(group).spliterator(), false).map(c -> Arguments.of(name.apply(c), c));
  }

  private static String size(JsonNode c, String width, String height) {
    return c.get(width).asInt() + "x" + c.get(height).asInt();
  }

  private static JsonNode load() {
    try {
      return new ObjectMapper().readTree(Corpus.resource("/images/resize/resize.json"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
