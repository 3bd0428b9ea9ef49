package io.resnetspark.udf.image;

import java.io.Serializable;

/**
 * Hard caps checked before any pixel is decoded, so that one hostile or absurd input (a decompression bomb, a
 * 40000x40000 header) cannot exhaust an executor's memory. Decoding needs about 6 bytes per decoded pixel at its
 * peak (the decoder's image plus the RGB copy; a third copy while an EXIF rotation is applied), so the default of
 * 100 megapixels allows about 600 MB per decoding thread. A JPEG decodes only the rectangle the centre crop reads
 * (see {@link BilinearResize#sourceForCentreCrop}), a little over half of a 4:3 photo.
 *
 * @param maxPixels largest accepted width x height, read from the image header
 * @param maxBytes largest accepted encoded size
 */
public record ImageLimits(long maxPixels, long maxBytes) implements Serializable {

  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  /** The decoded RGB copy is one Java array of 3 bytes per pixel, which bounds the pixel count. */
  public static final long MAX_SUPPORTED_PIXELS = (Integer.MAX_VALUE - 8) / 3;

  public ImageLimits {
    if (maxPixels < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "image limits must be positive, got maxPixels=" + maxPixels + " and maxBytes=" + maxBytes);
    }
    if (maxPixels > MAX_SUPPORTED_PIXELS) {
      throw new IllegalArgumentException(
          "maxPixels can be at most " + MAX_SUPPORTED_PIXELS + " (one RGB array per image), got " + maxPixels);
    }
  }

  /** 100 megapixels and 64 MiB. */
  public static ImageLimits defaults() {
    return new ImageLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES);
  }
}
