package io.resnetspark.udf.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
