package io.resnetspark.udf.image;

import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import java.nio.BufferOverflowException;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * Turns one image into the model's {@code images} input exactly as torchvision's evaluation transform does on a
 * PIL image — {@code Resize(resize)}, {@code CenterCrop(crop)}, {@code ToTensor()}, {@code Normalize(mean, std)} —
 * written NHWC in RGB order, as the SavedModel contract (see {@link PreprocessSpec}) expects.
 *
 * <p>Unlike torchvision's default loader, the EXIF orientation of a photo is applied first (see
 * {@link ExifOrientation}). Decoding follows PIL's {@code convert("RGB")} (see {@link RgbConversion}); resizing is
 * Pillow's antialiased bilinear filter to the bit (see {@link BilinearResize}); the float step is the same float32
 * arithmetic as torchvision ({@code v / 255}, then {@code (x - mean) / std}). On the parity photographs the result
 * equals torchvision's tensor exactly wherever the JPEG decoder is the same libjpeg.
 *
 * <p>Immutable and thread-safe: every call works on its own arrays.
 */
public final class ImagePreprocessor {

  private final PreprocessSpec spec;

  private final DecodeMode mode;
  private final ImageDecoder decoder;
  /** {@code lut[c][v]} is the normalised float for channel c and 8-bit value v. */
  private final float[][] lut;

  public ImagePreprocessor(PreprocessSpec spec, ImageLimits limits) {
    this(spec, limits, DecodeMode.EXACT);
  }

  /**
   * @throws IllegalStateException for {@link DecodeMode#REDUCED} where its native decoder cannot load
   */
  public ImagePreprocessor(PreprocessSpec spec, ImageLimits limits, DecodeMode mode) {
    if (!"bilinear".equals(spec.interpolation().toLowerCase(Locale.ROOT)) || !spec.antialias()) {
      throw new IllegalArgumentException("only antialiased bilinear resizing is implemented, the spec asks for "
          + spec.interpolation() + (spec.antialias() ? " with" : " without") + " antialiasing");
    }
    if (!"RGB".equals(spec.channelOrder()) || !"NHWC".equals(spec.layout())) {
      throw new IllegalArgumentException("only RGB NHWC input is implemented, the spec asks for "
          + spec.channelOrder() + " " + spec.layout());
    }
    if (mode == DecodeMode.REDUCED) {
      ReducedJpeg.requireAvailable();
    }
    this.spec = spec;
    this.mode = mode;
    this.decoder = new ImageDecoder(limits);
    this.lut = new float[3][256];
    for (int c = 0; c < 3; c++) {
      for (int v = 0; v < 256; v++) {
        // Two float32 roundings, as torch does: ToTensor's division, then Normalize's subtraction and division.
        float scaled = v / 255f;
        lut[c][v] = (scaled - spec.mean()[c]) / spec.std()[c];
      }
    }
  }

  public PreprocessSpec spec() {
    return spec;
  }

  public DecodeMode mode() {
    return mode;
  }

  /** Floats written per image: {@code crop * crop * 3}. */
  public int outputSize() {
    return spec.cropSize() * spec.cropSize() * 3;
  }

  /**
   * Decodes {@code encoded} (JPEG, PNG, GIF first frame, BMP, WebP, TIFF first page), applies its EXIF orientation,
   * resizes, crops and normalises it, and puts {@link #outputSize()} floats into {@code dest} at its position,
   * advancing the position like {@link FloatBuffer#put(float[])}. On an exception nothing has been written and the
   * position is unchanged.
   *
   * @throws ImageFailure with code EMPTY, UNSUPPORTED_FORMAT, CORRUPT or TOO_LARGE
   * @throws BufferOverflowException if {@code dest} has less than {@link #outputSize()} floats remaining
   */
  public void preprocess(byte[] encoded, FloatBuffer dest) throws ImageFailure {
    requireRoom(dest);
    if (mode == DecodeMode.REDUCED) {
      // The smallest DCT scale whose shorter side still covers the resize target (PIL's draft picks the same); the
      // resize then keeps the full image's geometry and allows for the DCT scaling's own blur (see BilinearResize).
      ScaledImage reduced = decoder.decodeReduced(encoded, spec.resizeSize());
      if (reduced != null) {
        normalise(BilinearResize.resizeAndCentreCrop(reduced, spec.resizeSize(), spec.cropSize()), dest);
        return;
      }
    }
    Window window = decoder.decodeRegion(encoded,
        (width, height) -> BilinearResize.sourceForCentreCrop(width, height, spec.resizeSize(), spec.cropSize()));
    normalise(BilinearResize.resizeAndCentreCrop(window, spec.resizeSize(), spec.cropSize()), dest);
  }

  /**
   * Same as {@link #preprocess} for an image already decoded by Spark's image data source
   * ({@code spark.read.format("image")}): {@code data} holds {@code height * width * nChannels} bytes row-major, in
   * OpenCV's order — B, G, R (and A, dropped) for 3 and 4 channels, grey for 1. Spark applies no EXIF orientation,
   * so none is applied here.
   *
   * @throws ImageFailure CORRUPT for Spark's invalid-image rows (no data, size -1) or a data length that does
   *     not match the size; UNSUPPORTED_FORMAT for other channel counts; TOO_LARGE over the pixel limit
   */
  public void preprocessImageStruct(byte[] data, int height, int width, int nChannels, FloatBuffer dest)
      throws ImageFailure {
    requireRoom(dest);
    write(fromImageStruct(data, height, width, nChannels), dest);
  }

  private RgbImage fromImageStruct(byte[] data, int height, int width, int nChannels) throws ImageFailure {
    if (data == null || data.length == 0 || height < 1 || width < 1) {
      throw new ImageFailure(ErrorCode.CORRUPT, "the image struct holds no image (height " + height
          + ", width " + width + ", " + (data == null ? 0 : data.length)
          + " bytes): Spark's image source could not decode the file");
    }
    if (nChannels != 1 && nChannels != 3 && nChannels != 4) {
      throw new ImageFailure(ErrorCode.UNSUPPORTED_FORMAT,
          "the image struct has " + nChannels + " channels; only 1 (grey), 3 (BGR) and 4 (BGRA) are supported");
    }
    long pixels = (long) height * width;
    if (pixels > decoderLimits().maxPixels()) {
      throw new ImageFailure(ErrorCode.TOO_LARGE, "image struct of " + width + "x" + height + " has "
          + pixels + " pixels, more than the limit of " + decoderLimits().maxPixels());
    }
    if (data.length != pixels * nChannels) {
      throw new ImageFailure(ErrorCode.CORRUPT, "the image struct of " + width + "x" + height + "x"
          + nChannels + " should hold " + pixels * nChannels + " bytes but holds " + data.length);
    }
    byte[] rgb = new byte[(int) (pixels * 3)];
    for (int i = 0, s = 0, o = 0; i < pixels; i++, s += nChannels, o += 3) {
      if (nChannels == 1) {
        rgb[o] = data[s];
        rgb[o + 1] = data[s];
        rgb[o + 2] = data[s];
      } else {
        rgb[o] = data[s + 2];
        rgb[o + 1] = data[s + 1];
        rgb[o + 2] = data[s];
      }
    }
    return new RgbImage(width, height, rgb);
  }

  private ImageLimits decoderLimits() {
    return decoder.limits();
  }

  private void requireRoom(FloatBuffer dest) {
    if (dest.remaining() < outputSize()) {
      throw new BufferOverflowException();
    }
  }

  private void write(RgbImage image, FloatBuffer dest) {
    normalise(BilinearResize.resizeAndCentreCrop(image, spec.resizeSize(), spec.cropSize()), dest);
  }

  /** ToTensor and Normalize of the cropped image, into {@code dest}. */
  void normalise(RgbImage crop, FloatBuffer dest) {
    byte[] px = crop.pixels();
    float[] out = new float[px.length];
    float[] r = lut[0];
    float[] g = lut[1];
    float[] b = lut[2];
    for (int i = 0; i < px.length; i += 3) {
      out[i] = r[px[i] & 0xFF];
      out[i + 1] = g[px[i + 1] & 0xFF];
      out[i + 2] = b[px[i + 2] & 0xFF];
    }
    dest.put(out);
  }
}
