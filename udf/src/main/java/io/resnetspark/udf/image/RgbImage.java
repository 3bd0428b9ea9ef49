package io.resnetspark.udf.image;

/**
 * An 8-bit RGB image, row-major, three interleaved bytes per pixel: what PIL's {@code Image.convert("RGB")} holds
 * and what every later step works on.
 */
record RgbImage(int width, int height, byte[] pixels) {

  RgbImage {
    if (width < 1 || height < 1 || pixels.length != 3L * width * height) {
      throw new IllegalArgumentException(
          "RGB image of " + width + "x" + height + " needs " + 3L * width * height + " bytes, got " + pixels.length);
    }
  }

  /** Channel {@code c} (0 = red) of pixel (x, y), as 0..255. */
  int sample(int x, int y, int c) {
    return pixels[(y * width + x) * 3 + c] & 0xFF;
  }
}
