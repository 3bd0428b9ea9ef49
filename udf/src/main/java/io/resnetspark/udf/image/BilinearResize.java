package io.resnetspark.udf.image;

import java.util.Arrays;
/**
 * Antialiased bilinear resampling with Pillow's exact arithmetic ({@code Image.resize(size, BILINEAR)}, 8-bit path
 * of libImaging's ImagingResample), which is what torchvision's {@code Resize} does to a PIL image, plus
 * torchvision's size and centre-crop rules.
 *
 * <p>The filter is a triangle whose support widens with the reduction factor, so every source pixel under an output
 * pixel contributes (that is the antialiasing). Weights are computed in double precision, normalised to sum 1,
 * then turned into 22-bit fixed point; each pass accumulates {@code pixel * weight} in an int with a rounding half
 * added and clamps the shifted sum to 0..255. Pillow resamples horizontally first and rounds to 8 bits before the
 * vertical pass, and skips a pass whose size does not change; all of that is reproduced because each rounding step
 * changes the result.
 *
 * <p>Only the centre crop is ever needed, so only the output columns and rows inside it are computed (each output
 * pixel depends on its own taps only, so this is exact, not an approximation) — about a third less work for a
 * typical 4:3 photo.
 */
final class BilinearResize {

  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final int HALF = 1 << (PRECISION_BITS - 1);

  private BilinearResize() {}

  /**
   * torchvision's {@code Resize(size)} output size for a single int: the shorter side becomes {@code size}, the
   * longer one {@code int(size * long / short)} (truncated), as in
   * {@code torchvision.transforms.functional._compute_resized_output_size}.
   *
   * @return {width, height}
   */
  static int[] shorterSideTo(int width, int height, int size) {
    int shorter = Math.min(width, height);
    int longer = Math.max(width, height);
    int newLonger = (int) ((double) ((long) size * longer) / shorter);
    return width <= height ? new int[] {size, newLonger} : new int[] {newLonger, size};
  }

  /** torchvision's {@code CenterCrop} offset: {@code int(round((size - crop) / 2.0))}, rounding half to even. */
  static int centreCropOffset(int size, int crop) {
    return (int) Math.rint((size - crop) / 2.0);
  }

  /** torchvision's {@code Resize(resize)} followed by {@code CenterCrop(crop)}, both on 8-bit RGB. */
  static RgbImage resizeAndCentreCrop(RgbImage in, int resize, int crop) {
    return resizeAndCentreCrop(Window.whole(in), resize, crop);
  }

  /**
   * The same for an image of which only {@code window} was decoded; the window must contain
   * {@link #sourceForCentreCrop} of the full image, and the result is then the same as for the full image.
   */
  static RgbImage resizeAndCentreCrop(Window window, int resize, int crop) {
    int[] size = outputSize(window.fullWidth(), window.fullHeight(), resize, crop);
    return resizeWindow(window, size[0], size[1], centreCropOffset(size[0], crop), centreCropOffset(size[1], crop),
        crop, crop);
  }

  /**
   * The rectangle of a {@code width x height} image that {@code Resize(resize)} and {@code CenterCrop(crop)} read:
   * every source pixel under a filter tap of an output pixel inside the crop. Decoding only this much gives the
   * same tensor, since no other source pixel contributes.
   */
  static Window.Rect sourceForCentreCrop(int width, int height, int resize, int crop) {
    int[] size = outputSize(width, height, resize, crop);
    Taps cols = axisTaps(width, size[0], centreCropOffset(size[0], crop), crop);
    Taps rows = axisTaps(height, size[1], centreCropOffset(size[1], crop), crop);
    return new Window.Rect(cols.firstSource(), rows.firstSource(), cols.endSource() - cols.firstSource(),
        rows.endSource() - rows.firstSource());
  }

  private static int[] outputSize(int width, int height, int resize, int crop) {
    int[] size = shorterSideTo(width, height, resize);
    if (size[0] < crop || size[1] < crop) {
      throw new IllegalArgumentException("resize " + resize + " is smaller than crop " + crop);
    }
    return size;
  }

  private static Taps axisTaps(int inSize, int outSize, int start, int count) {
    return outSize != inSize ? Taps.of(inSize, outSize, start, count) : Taps.identity(start, count);
  }

  /** The whole of {@code Image.resize((outWidth, outHeight), BILINEAR)}. */
  static RgbImage resize(RgbImage in, int outWidth, int outHeight) {
    return resizeWindow(Window.whole(in), outWidth, outHeight, 0, 0, outWidth, outHeight);
  }

  /**
   * The window {@code [left, left + width) x [top, top + height)} of the image resized to
   * {@code outWidth x outHeight}.
   */
  static RgbImage resizeWindow(Window in, int outWidth, int outHeight, int left, int top, int width, int height) {
    if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > outWidth || top + height > outHeight) {
      throw new IllegalArgumentException("window " + width + "x" + height + "+" + left + "+" + top
          + " is not inside " + outWidth + "x" + outHeight);
    }
    return resample(in, axisTaps(in.fullWidth(), outWidth, left, width),
        axisTaps(in.fullHeight(), outHeight, top, height));
  }

  /**
   * torchvision's {@code Resize(resize)} and {@code CenterCrop(crop)} of the full image, computed from the image
   * DCT-scaled to 1/d. Two things differ from resizing the scaled pixels as if they were the image:
   * <ul>
   *   <li>the geometry is the full image's: the output size, the centre crop and every sample position (in scaled
   *   pixels, the full image's position divided by d), so the rounded-up scaled size shifts nothing;
   *   <li>the triangle is narrowed by what the DCT scaling already blurred. Its support s (in scaled pixels, the
   *   reduction still to do) becomes {@code sqrt(s^2 - 1/2)}, never below 1: a box of one scaled pixel has the
   *   variance 1/12 and a triangle of support s has s^2/6, so the two together spread a pixel as far as the full
   *   image's triangle alone.
   * </ul>
   * Measured on real photographs through a ResNet-50 with batch norms far from their defaults (docs/BENCHMARKS.md):
   * with both, every photo keeps a centred cosine of at least 0.998 down to the scale whose shorter side just
   * covers the resize; resized as if whole, one fell to 0.95.
   */
  static RgbImage resizeAndCentreCrop(ScaledImage scaled, int resize, int crop) {
    int[] size = outputSize(scaled.fullWidth(), scaled.fullHeight(), resize, crop);
    Taps cols = Taps.ofScaled(scaled.pixels().width(), scaled.fullWidth(), size[0], scaled.denominator(),
        centreCropOffset(size[0], crop), crop);
    Taps rows = Taps.ofScaled(scaled.pixels().height(), scaled.fullHeight(), size[1], scaled.denominator(),
        centreCropOffset(size[1], crop), crop);
    return resample(Window.whole(scaled.pixels()), cols, rows);
  }

  private static RgbImage resample(Window in, Taps cols, Taps rows) {
    boolean horizontal = !cols.isIdentity();
    boolean vertical = !rows.isIdentity();
    int left = cols.firstSource();
    int width = cols.count();
    if (!in.contains(cols.firstSource(), rows.firstSource(), cols.endSource(), rows.endSource())) {
      throw new IllegalArgumentException("the decoded window " + in.rect() + " lacks source pixels of the output");
    }
    // Rows of the source the vertical pass reads; the horizontal pass produces exactly those.
    int firstRow = rows.firstSource();
    int rowCount = rows.endSource() - firstRow;
    byte[] band;
    if (horizontal) {
      band = horizontalPass(in, cols, firstRow, rowCount);
    } else {
      band = copyColumns(in, left, width, firstRow, rowCount);
    }
    byte[] out = vertical ? verticalPass(band, width, rows, firstRow) : band;
    return new RgbImage(width, rows.count(), out);
  }

  private static byte[] horizontalPass(Window window, Taps cols, int firstRow, int rowCount) {
    RgbImage in = window.pixels();
    byte[] src = in.pixels();
    int inLine = in.width() * 3;
    int outWidth = cols.count();
    byte[] out = new byte[rowCount * outWidth * 3];
    int o = 0;
    for (int r = 0; r < rowCount; r++) {
      int line = (firstRow - window.y() + r) * inLine - window.x() * 3;
      for (int x = 0; x < outWidth; x++) {
        int s0 = HALF;
        int s1 = HALF;
        int s2 = HALF;
        int[] k = cols.weights();
        int kBase = x * cols.kernelSize();
        int p = line + cols.first(x) * 3;
        for (int t = 0, n = cols.length(x); t < n; t++, p += 3) {
          int kv = k[kBase + t];
          s0 += (src[p] & 0xFF) * kv;
          s1 += (src[p + 1] & 0xFF) * kv;
          s2 += (src[p + 2] & 0xFF) * kv;
        }
        out[o++] = clip8(s0);
        out[o++] = clip8(s1);
        out[o++] = clip8(s2);
      }
    }
    return out;
  }

  private static byte[] verticalPass(byte[] band, int width, Taps rows, int firstRow) {
    int line = width * 3;
    byte[] out = new byte[rows.count() * line];
    int[] k = rows.weights();
    int[] sums = new int[line];
    for (int y = 0; y < rows.count(); y++) {
      Arrays.fill(sums, HALF);
      int kBase = y * rows.kernelSize();
      // Whole source rows at a time: the same sums as Pillow's per-pixel loop, in a cache-friendly order.
      for (int t = 0, n = rows.length(y); t < n; t++) {
        int kv = k[kBase + t];
        int p = (rows.first(y) - firstRow + t) * line;
        for (int i = 0; i < line; i++) {
          sums[i] += (band[p + i] & 0xFF) * kv;
        }
      }
      int o = y * line;
      for (int i = 0; i < line; i++) {
        out[o + i] = clip8(sums[i]);
      }
    }
    return out;
  }

  private static byte[] copyColumns(Window window, int left, int width, int firstRow, int rowCount) {
    RgbImage in = window.pixels();
    byte[] out = new byte[rowCount * width * 3];
    for (int r = 0; r < rowCount; r++) {
      System.arraycopy(in.pixels(), ((firstRow - window.y() + r) * in.width() + left - window.x()) * 3, out,
          r * width * 3, width * 3);
    }
    return out;
  }

  private static byte clip8(int sum) {
    int v = sum >> PRECISION_BITS;
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  private static double triangle(double x) {
    double a = Math.abs(x);
    return a < 1.0 ? 1.0 - a : 0.0;
  }

  /**
   * The fixed-point filter taps of one axis for output positions {@code [start, start + count)}: output i reads
   * {@code length(i)} source pixels from {@code first(i)} with weights {@code weights[i * kernelSize + t]}.
   */
  record Taps(int count, int kernelSize, int[] firsts, int[] lengths, int[] weights) {

    int first(int i) {
      return firsts[i];
    }

    int length(int i) {
      return lengths[i];
    }

    int firstSource() {
      return firsts[0];
    }

    /** One past the last source index read; sources only move forward with the output index. */
    int endSource() {
      return firsts[count - 1] + lengths[count - 1];
    }

    /** Whether this is a pass that does not run (Pillow's kernels always have at least three taps). */
    boolean isIdentity() {
      return kernelSize == 1;
    }

    /** A pass that does not run: output i is source i. */
    static Taps identity(int start, int count) {
      int[] firsts = new int[count];
      int[] lengths = new int[count];
      int[] weights = new int[count];
      for (int i = 0; i < count; i++) {
        firsts[i] = start + i;
        lengths[i] = 1;
        weights[i] = 1 << PRECISION_BITS;
      }
      return new Taps(count, 1, firsts, lengths, weights);
    }

    /** Pillow's precompute_coeffs for the bilinear filter, then normalize_coeffs_8bpc, for a slice of outputs. */
    static Taps of(int inSize, int outSize, int start, int count) {
      double scale = (double) inSize / outSize;
      return withTriangle(inSize, scale, Math.max(scale, 1.0), start, count);
    }

    /**
     * The taps on a {@code scaledSize} axis that stands for {@code fullSize} pixels at 1/{@code denominator}, for
     * the full axis resized to {@code outSize} (see {@link BilinearResize#resizeAndCentreCrop(ScaledImage, int,
     * int)}).
     */
    static Taps ofScaled(int scaledSize, int fullSize, int outSize, int denominator, int start, int count) {
      double scale = (double) fullSize / outSize / denominator;
      return withTriangle(scaledSize, scale, Math.max(Math.sqrt(Math.max(scale * scale - 0.5, 0.0)), 1.0), start,
          count);
    }

    /**
     * Output i samples the source at {@code (i + 0.5) * scale} with a triangle of half-width {@code filterScale}
     * source pixels.
     */
    private static Taps withTriangle(int inSize, double scale, double filterScale, int start, int count) {
      double support = filterScale; // the triangle's support is 1, widened by the reduction factor
      int kernelSize = (int) Math.ceil(support) * 2 + 1;
      int[] firsts = new int[count];
      int[] lengths = new int[count];
      int[] weights = new int[count * kernelSize];
      double[] w = new double[kernelSize];
      double inverseScale = 1.0 / filterScale;
      for (int i = 0; i < count; i++) {
        double centre = (start + i + 0.5) * scale;
        int min = Math.max((int) (centre - support + 0.5), 0);
        int max = Math.min((int) (centre + support + 0.5), inSize) - min;
        double total = 0.0;
        for (int t = 0; t < max; t++) {
          w[t] = triangle((t + min - centre + 0.5) * inverseScale);
          total += w[t];
        }
        for (int t = 0; t < max; t++) {
          double normalised = total != 0.0 ? w[t] / total : w[t];
          weights[i * kernelSize + t] = (int) (0.5 + normalised * (1 << PRECISION_BITS));
        }
        firsts[i] = min;
        lengths[i] = max;
      }
      return new Taps(count, kernelSize, firsts, lengths, weights);
    }
  }
}
