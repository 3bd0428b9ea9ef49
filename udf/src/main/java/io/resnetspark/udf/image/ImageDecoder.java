package io.resnetspark.udf.image;

import com.twelvemonkeys.imageio.color.YCbCrConverter;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Encoded bytes to an upright 8-bit RGB image, the way torchvision's {@code pil_loader} plus
 * {@code ImageOps.exif_transpose} would see it (see {@link RgbConversion} for the colour rules), refusing
 * oversized input from its header before any pixel is decoded.
 *
 * <p>Error mapping: no bytes is {@link ErrorCode#EMPTY}; bytes of no accepted format are
 * {@link ErrorCode#UNSUPPORTED_FORMAT}; more bytes or pixels than the {@link ImageLimits} allow is
 * {@link ErrorCode#TOO_LARGE}; anything the decoder rejects, and a truncated file, is
 * {@link ErrorCode#CORRUPT}. JPEG decoders fill a truncated file's missing part with grey and only warn; PIL
 * (with its default {@code LOAD_TRUNCATED_IMAGES = False}) raises instead, so the warning is treated as an error.
 *
 * <p>Where the pixels can differ from PIL's: JPEG is exact when the JVM's libjpeg is the same as PIL's (Debian's
 * OpenJDK links the system libjpeg-turbo, as Debian's Pillow does); lossy WebP goes through TwelveMonkeys' Java VP8
 * decoder, which takes chroma from the nearest sample where libwebp interpolates (about two levels apart on
 * average); a GIF whose first frame is smaller than its logical screen is returned at the frame's size, where PIL
 * places it on the screen-sized canvas.
 */
final class ImageDecoder {

  /** JDK's libjpeg reader warning for input that ended before the end-of-image marker. */
  private static final String MISSING_EOI = "missing eoi";

  private final ImageLimits limits;

  ImageDecoder(ImageLimits limits) {
    this.limits = limits;
  }

  ImageLimits limits() {
    return limits;
  }

  RgbImage decode(byte[] encoded) throws ImageFailure {
    ImageFormat format = check(encoded);
    RgbImage stored = decodePixels(format, encoded, null).pixels();
    return ExifOrientation.of(format, encoded).apply(stored);
  }

  /**
   * The part of the upright image that {@code needed} asks for, given the upright image's width and height: for a
   * JPEG only that part's rows and columns are decoded and copied (the codec still entropy-decodes every row
   * above it, and stops after its last row), which gives the same pixels as cutting them out of {@link #decode}.
   * Other formats are decoded whole.
   */
  Window decodeRegion(byte[] encoded, RegionPicker needed) throws ImageFailure {
    ImageFormat format = check(encoded);
    ExifOrientation orientation = ExifOrientation.of(format, encoded);
    Window.Rect[] asked = new Window.Rect[1];
    Window stored = decodePixels(format, encoded, (width, height) -> {
      int uprightWidth = orientation.swapsAxes() ? height : width;
      int uprightHeight = orientation.swapsAxes() ? width : height;
      asked[0] = needed.pick(uprightWidth, uprightHeight);
      return orientation.storedRect(asked[0], width, height);
    });
    RgbImage upright = orientation.apply(stored.pixels());
    if (stored.rect().coversWhole(stored.fullWidth(), stored.fullHeight())) {
      return Window.whole(upright);
    }
    boolean swap = orientation.swapsAxes();
    return new Window(upright, asked[0].x(), asked[0].y(), swap ? stored.fullHeight() : stored.fullWidth(),
        swap ? stored.fullWidth() : stored.fullHeight());
  }

  /**
   * For {@link DecodeMode#REDUCED}: a three- or one-channel JPEG decoded in the DCT domain at the smallest scale
   * whose shorter side is still at least {@code minShorterSide}, upright; null when there is no such reduction
   * (another format, a four-channel JPEG, an image already small), and the exact path applies. The same header
   * checks and the same error codes as {@link #decode}.
   */
  ScaledImage decodeReduced(byte[] encoded, int minShorterSide) throws ImageFailure {
    ImageFormat format = check(encoded);
    if (format != ImageFormat.JPEG) {
      return null;
    }
    // libjpeg's own header reader: an ImageIO reader per image costs more than the reduced decode itself
    ReducedJpeg.Header header = ReducedJpeg.header(encoded);
    if (header == null || header.samplesPerPixel() == 4 || header.cmykOrYcck()) {
      return null;
    }
    checkPixelCount(format, header.width(), header.height());
    int denominator = ReducedJpeg.scaleDenominator(header.width(), header.height(), minShorterSide);
    if (denominator == 1) {
      return null;
    }
    if (!JpegEnd.hasEndOfImage(encoded)) {
      throw new ImageFailure(ErrorCode.CORRUPT, format + " data is truncated (no end-of-image marker after its "
          + "last scan)");
    }
    RgbImage stored = ReducedJpeg.decode(encoded, denominator);
    if (!ScaledImage.isScaledSize(stored, header.width(), header.height(), denominator)) {
      return null; // not libjpeg's scaled size, so the full image's geometry cannot be mapped onto it: decode exactly
    }
    ExifOrientation orientation = ExifOrientation.of(format, encoded);
    RgbImage upright = orientation.apply(stored);
    return orientation.swapsAxes()
        ? new ScaledImage(upright, header.height(), header.width(), denominator)
        : new ScaledImage(upright, header.width(), header.height(), denominator);
  }

  /** Chooses the rectangle to decode from an image's width and height. */
  @FunctionalInterface
  interface RegionPicker {
    Window.Rect pick(int width, int height);
  }

  private ImageFormat check(byte[] encoded) throws ImageFailure {
    if (encoded == null || encoded.length == 0) {
      throw new ImageFailure(ErrorCode.EMPTY, "the image has no bytes");
    }
    if (encoded.length > limits.maxBytes()) {
      throw new ImageFailure(ErrorCode.TOO_LARGE,
          "the image has " + encoded.length + " bytes, more than the limit of " + limits.maxBytes());
    }
    return ImageFormat.sniff(encoded).orElseThrow(() -> new ImageFailure(
        ErrorCode.UNSUPPORTED_FORMAT, "not a JPEG, PNG, GIF, BMP, WebP or TIFF image (first bytes: "
            + ImageFormat.describeStart(encoded) + ")"));
  }

  /** The stored image, or for a JPEG only the stored rectangle {@code region} picks (null: all of it). */
  private Window decodePixels(ImageFormat format, byte[] encoded, RegionPicker region) throws ImageFailure {
    ImageReader reader = null;
    try (ImageInputStream in = new ByteArrayImageInputStream(encoded)) {
      reader = format.provider().createReaderInstance();
      reader.setInput(in, true, true);
      int[] size = checkPixelCount(format, reader);
      TruncationWatch truncation = new TruncationWatch();
      reader.addIIOReadWarningListener(truncation);
      Window.Rect rect = new Window.Rect(0, 0, size[0], size[1]);
      RgbImage image;
      if (format == ImageFormat.JPEG) {
        if (region != null) {
          rect = region.pick(size[0], size[1]);
        }
        image = readJpeg(reader, encoded, rect);
        if (rect.y() + rect.height() < size[1] && !JpegEnd.hasEndOfImage(encoded)) {
          // The codec stopped after the rows it was asked for, before the place where the data ends.
          throw new ImageFailure(ErrorCode.CORRUPT, format + " data is truncated (no end-of-image marker after its "
              + "last scan)");
        }
      } else {
        image = RgbConversion.toRgb(reader.read(0));
      }
      if (truncation.truncated) {
        throw new ImageFailure(ErrorCode.CORRUPT, format + " data is truncated (" + truncation.warning + ")");
      }
      return new Window(image, rect.x(), rect.y(), size[0], size[1]);
    } catch (ImageFailure e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw failure(format, e);
    } finally {
      if (reader != null) {
        reader.dispose();
      }
    }
  }

  /** Readers throw unchecked exceptions too (bounds, negative sizes) on hostile input: every one means "bad data". */
  private static ImageFailure failure(ImageFormat format, Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    ErrorCode code = message.toLowerCase(Locale.ROOT).contains("unsupported")
        ? ErrorCode.UNSUPPORTED_FORMAT : ErrorCode.CORRUPT;
    return new ImageFailure(code, "cannot decode " + format + " image: " + message, e);
  }

  /** The header's {width, height}, refused when empty or over the pixel limit. */
  private int[] checkPixelCount(ImageFormat format, ImageReader reader) throws IOException, ImageFailure {
    return checkPixelCount(format, reader.getWidth(0), reader.getHeight(0));
  }

  private int[] checkPixelCount(ImageFormat format, int width, int height) throws ImageFailure {
    if (width < 1 || height < 1) {
      throw new ImageFailure(ErrorCode.CORRUPT, format + " header gives a size of " + width + "x" + height);
    }
    if ((long) width * height > limits.maxPixels()) {
      throw new ImageFailure(ErrorCode.TOO_LARGE, format + " image of " + width + "x" + height + " has "
          + (long) width * height + " pixels, more than the limit of " + limits.maxPixels());
    }
    return new int[] {width, height};
  }

  /**
   * JPEG through TwelveMonkeys, asking for the raw image type so that an embedded ICC profile is not applied (PIL
   * ignores it); the usual YCbCr and grey files then decode through the JDK's libjpeg exactly as PIL's libjpeg does.
   * Four-channel files are read as raw samples and converted with PIL's rules.
   */
  private static RgbImage readJpeg(ImageReader reader, byte[] encoded, Window.Rect rect) throws IOException {
    ImageTypeSpecifier raw = reader.getRawImageType(0);
    ImageReadParam param = reader.getDefaultReadParam();
    param.setSourceRegion(new Rectangle(rect.x(), rect.y(), rect.width(), rect.height()));
    if (raw.getColorModel().getNumComponents() == 4) {
      return cmykJpeg(reader.readRaster(0, param), adobeTransform(encoded));
    }
    param.setDestinationType(raw);
    BufferedImage image = reader.read(0, param);
    return RgbConversion.toRgb(image);
  }

  /**
   * A four-channel JPEG as PIL decodes it: libjpeg yields the stored samples (for YCCK after its YCC to RGB step on
   * the first three), PIL assumes Adobe's inverted storage ("CMYK;I") and converts to RGB with its naive formula.
   */
  private static RgbImage cmykJpeg(Raster raster, int adobeTransform) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    ComponentSampleModel sm = (ComponentSampleModel) raster.getSampleModel();
    DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
    byte[] data = buffer.getData();
    int origin = buffer.getOffset() + (raster.getMinY() - raster.getSampleModelTranslateY()) * sm.getScanlineStride()
        + (raster.getMinX() - raster.getSampleModelTranslateX()) * sm.getPixelStride();
    int[] bandOffsets = sm.getBandOffsets();
    byte[] ycc = new byte[3];
    byte[] out = new byte[3 * w * h];
    int o = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = origin + y * sm.getScanlineStride() + x * sm.getPixelStride();
        int k = 255 - (data[p + bandOffsets[3]] & 0xFF);
        if (adobeTransform == 2) {
          ycc[0] = data[p + bandOffsets[0]];
          ycc[1] = data[p + bandOffsets[1]];
          ycc[2] = data[p + bandOffsets[2]];
          YCbCrConverter.convertJPEGYCbCr2RGB(ycc, ycc, 0);
          for (int c = 0; c < 3; c++) {
            out[o++] = (byte) RgbConversion.cmykChannel(ycc[c] & 0xFF, k);
          }
        } else {
          for (int c = 0; c < 3; c++) {
            out[o++] = (byte) RgbConversion.cmykChannel(255 - (data[p + bandOffsets[c]] & 0xFF), k);
          }
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /** The transform byte of the Adobe APP14 segment (0 CMYK, 1 YCbCr, 2 YCCK), or 0 when there is none. */
  private static int adobeTransform(byte[] encoded) throws IOException {
    List<JPEGSegment> adobe;
    try (ImageInputStream in = new ByteArrayImageInputStream(encoded)) {
      adobe = JPEGSegmentUtil.readSegments(in, JPEG.APP14, "Adobe");
    }
    if (adobe.isEmpty()) {
      return 0;
    }
    // "Adobe" (5 bytes), version (2), flags0 (2), flags1 (2), transform (1).
    byte[] segment = adobe.get(0).segmentData().readAllBytes();
    return segment.length > 11 ? segment[11] & 0xFF : 0;
  }

  private static final class TruncationWatch implements IIOReadWarningListener {
    boolean truncated;
    String warning;

    @Override
    public void warningOccurred(ImageReader source, String message) {
      if (message != null && message.toLowerCase(Locale.ROOT).contains(MISSING_EOI)) {
        truncated = true;
        warning = message;
      }
    }
  }
}
