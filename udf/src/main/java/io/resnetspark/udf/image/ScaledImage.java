package io.resnetspark.udf.image;

/**
 * An upright image decoded at 1/{@code denominator} of its size in the DCT domain: {@code pixels} stands for the
 * whole {@code fullWidth x fullHeight} image, each pixel for a {@code denominator}-square block of it (the last row
 * and column may stand for a partial block, as libjpeg rounds the scaled size up).
 *
 * <p>The full size is kept because torchvision's geometry belongs to it: {@code Resize} computes its output size and
 * sample positions from the full image, and a scaled size rounded up would shift both.
 */
record ScaledImage(RgbImage pixels, int fullWidth, int fullHeight, int denominator) {

  ScaledImage {
    if (denominator < 2 || !isScaledSize(pixels, fullWidth, fullHeight, denominator)) {
      throw new IllegalArgumentException(pixels.width() + "x" + pixels.height() + " is not " + fullWidth + "x"
          + fullHeight + " at 1/" + denominator);
    }
  }

  /** Whether {@code pixels} has libjpeg's size for a {@code fullWidth x fullHeight} image at 1/{@code denominator}. */
  static boolean isScaledSize(RgbImage pixels, int fullWidth, int fullHeight, int denominator) {
    return pixels.width() == scaledSize(fullWidth, denominator)
        && pixels.height() == scaledSize(fullHeight, denominator);
  }

  /** libjpeg's size of a {@code full}-pixel side at 1/{@code denominator}: rounded up. */
  static int scaledSize(int full, int denominator) {
    return (full + denominator - 1) / denominator;
  }
}
