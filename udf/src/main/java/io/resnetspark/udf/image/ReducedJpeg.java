package io.resnetspark.udf.image;

import static org.bytedeco.leptonica.global.leptonica.L_SEVERITY_NONE;
import static org.bytedeco.leptonica.global.leptonica.pixDestroy;
import static org.bytedeco.leptonica.global.leptonica.pixGetData;
import static org.bytedeco.leptonica.global.leptonica.pixGetDepth;
import static org.bytedeco.leptonica.global.leptonica.pixGetHeight;
import static org.bytedeco.leptonica.global.leptonica.pixGetWidth;
import static org.bytedeco.leptonica.global.leptonica.pixGetWpl;
import static org.bytedeco.leptonica.global.leptonica.pixReadMemJpeg;
import static org.bytedeco.leptonica.global.leptonica.readHeaderMemJpeg;
import static org.bytedeco.leptonica.global.leptonica.setMsgSeverity;

import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.leptonica.PIX;

/**
 * A JPEG decoded at 1/2, 1/4 or 1/8 of its size in the DCT domain by libjpeg-turbo (the SIMD build bundled with
 * Leptonica's natives), the way PIL's {@code Image.draft} asks libjpeg for it: only the low-frequency
 * coefficients of each block are transformed, so the entropy decoding is most of what is left.
 *
 * <p>At scale 1 this decoder gives the same pixels as the exact path (checked in its test); the exact path still
 * uses ImageIO so that the default does not depend on a native library.
 */
final class ReducedJpeg {

  private static final Throwable UNAVAILABLE = load();

  private ReducedJpeg() {}

  private static Throwable load() {
    try {
      setMsgSeverity(L_SEVERITY_NONE); // failures are reported as ImageFailure, not printed by the library
      return null;
    } catch (Throwable e) {
      return e;
    }
  }

  /** @throws IllegalStateException saying why the native decoder cannot be used on this machine */
  static void requireAvailable() {
    if (UNAVAILABLE != null) {
      throw new IllegalStateException("--decode reduced needs Leptonica's native libjpeg-turbo (bundled for "
          + "linux-x86_64), which did not load here: " + UNAVAILABLE);
    }
  }

  /** What libjpeg reads from a JPEG's header: size, samples per pixel, and whether it is CMYK or YCCK. */
  record Header(int width, int height, int samplesPerPixel, boolean cmykOrYcck) {
  }

  /** The header, or null when libjpeg cannot read one (the exact path then reports why). */
  static Header header(byte[] jpeg) {
    requireAvailable();
    int[] w = new int[1];
    int[] h = new int[1];
    int[] spp = new int[1];
    int[] ycck = new int[1];
    int[] cmyk = new int[1];
    if (readHeaderMemJpeg(jpeg, jpeg.length, w, h, spp, ycck, cmyk) != 0) {
      return null;
    }
    return new Header(w[0], h[0], spp[0], ycck[0] != 0 || cmyk[0] != 0);
  }

  /**
   * The largest denominator in {2, 4, 8} whose scaled shorter side (libjpeg rounds up) is still at least
   * {@code minShorterSide}, or 1 when even 1/2 would be smaller.
   */
  static int scaleDenominator(int width, int height, int minShorterSide) {
    int shorter = Math.min(width, height);
    for (int d = 8; d >= 2; d /= 2) {
      if (ScaledImage.scaledSize(shorter, d) >= minShorterSide) {
        return d;
      }
    }
    return 1;
  }

  /** The stored (not yet EXIF-oriented) image at 1/{@code denominator} of its size, as RGB. */
  static RgbImage decode(byte[] jpeg, int denominator) throws ImageFailure {
    requireAvailable();
    PIX pix = pixReadMemJpeg(jpeg, jpeg.length, 0, denominator, new int[1], 0);
    if (pix == null || pix.isNull()) {
      throw new ImageFailure(ErrorCode.CORRUPT, "cannot decode JPEG image (libjpeg refused it at scale 1/"
          + denominator + ")");
    }
    try {
      return toRgb(pix);
    } finally {
      pixDestroy(pix);
    }
  }

  /** Leptonica's 32-bit pixels hold R, G, B in the top three bytes of each word; 8-bit ones are grey. */
  private static RgbImage toRgb(PIX pix) throws ImageFailure {
    int w = pixGetWidth(pix);
    int h = pixGetHeight(pix);
    int depth = pixGetDepth(pix);
    int wpl = pixGetWpl(pix);
    if (depth != 32 && depth != 8) {
      throw new ImageFailure(ErrorCode.UNSUPPORTED_FORMAT, "JPEG decoded to " + depth + "-bit pixels");
    }
    IntPointer words = pixGetData(pix);
    int[] row = new int[wpl];
    byte[] out = new byte[3 * w * h];
    int o = 0;
    for (int y = 0; y < h; y++) {
      words.position((long) y * wpl).get(row);
      if (depth == 32) {
        for (int x = 0; x < w; x++) {
          int p = row[x];
          out[o++] = (byte) (p >>> 24);
          out[o++] = (byte) (p >>> 16);
          out[o++] = (byte) (p >>> 8);
        }
      } else {
        // 8-bit samples are packed big-end first in each 32-bit word
        for (int x = 0; x < w; x++) {
          byte v = (byte) (row[x >> 2] >>> (24 - 8 * (x & 3)));
          out[o++] = v;
          out[o++] = v;
          out[o++] = v;
        }
      }
    }
    return new RgbImage(w, h, out);
  }
}
