package io.resnetspark.udf.image;

/**
 * The decoded part of an upright image: {@code pixels} is the rectangle at ({@code x}, {@code y}) of an image of
 * {@code fullWidth x fullHeight}. Decoding only the part the centre crop reads keeps a 12-megapixel photo's
 * buffers at about the crop's share of the image, and skips copying the rest.
 */
record Window(RgbImage pixels, int x, int y, int fullWidth, int fullHeight) {

  Window {
    if (x < 0 || y < 0 || x + pixels.width() > fullWidth || y + pixels.height() > fullHeight) {
      throw new IllegalArgumentException("window " + pixels.width() + "x" + pixels.height() + "+" + x + "+" + y
          + " is not inside " + fullWidth + "x" + fullHeight);
    }
  }

  static Window whole(RgbImage image) {
    return new Window(image, 0, 0, image.width(), image.height());
  }

  Rect rect() {
    return new Rect(x, y, pixels.width(), pixels.height());
  }

  /** Whether the window holds every pixel of {@code [x0, x1) x [y0, y1)}. */
  boolean contains(int x0, int y0, int x1, int y1) {
    return x0 >= x && y0 >= y && x1 <= x + pixels.width() && y1 <= y + pixels.height();
  }

  /** A rectangle of pixels. */
  record Rect(int x, int y, int width, int height) {

    boolean coversWhole(int imageWidth, int imageHeight) {
      return x == 0 && y == 0 && width == imageWidth && height == imageHeight;
    }

    @Override
    public String toString() {
      return width + "x" + height + "+" + x + "+" + y;
    }
  }
}
