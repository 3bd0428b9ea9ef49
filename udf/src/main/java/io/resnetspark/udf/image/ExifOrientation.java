package io.resnetspark.udf.image;

import com.twelvemonkeys.imageio.metadata.CompoundDirectory;
import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF orientation tag (TIFF tag 274 in IFD0) and the transpose that shows the picture upright, with the same
 * mapping as PIL's {@code ImageOps.exif_transpose}.
 *
 * <p>torchvision's own loader does not apply EXIF orientation; this product does, because a camera photo stored
 * sideways is a different input to the model. Parity fixtures therefore run {@code exif_transpose} before the
 * torchvision transforms. The tag is looked for where PIL looks: the JPEG APP1 "Exif" segment, the PNG eXIf chunk,
 * the WebP EXIF chunk and a TIFF file's own first IFD. Unreadable EXIF data counts as no orientation, because it
 * never stops the pixels from being usable.
 */
enum ExifOrientation {
  /** Tag value 1: stored upright. */
  NORMAL(false),
  /** Tag value 2: PIL's FLIP_LEFT_RIGHT. */
  MIRROR_HORIZONTAL(false),
  /** Tag value 3: PIL's ROTATE_180. */
  ROTATE_180(false),
  /** Tag value 4: PIL's FLIP_TOP_BOTTOM. */
  MIRROR_VERTICAL(false),
  /** Tag value 5: PIL's TRANSPOSE. */
  TRANSPOSE(true),
  /** Tag value 6: PIL's ROTATE_270 (turn 90 degrees clockwise). */
  ROTATE_90_CLOCKWISE(true),
  /** Tag value 7: PIL's TRANSVERSE. */
  TRANSVERSE(true),
  /** Tag value 8: PIL's ROTATE_90 (turn 90 degrees counter-clockwise). */
  ROTATE_90_COUNTER_CLOCKWISE(true);

  private static final byte[] EXIF_PREFIX = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);

  private final boolean swapsAxes;

  ExifOrientation(boolean swapsAxes) {
    this.swapsAxes = swapsAxes;
  }

  /** The orientation for a tag value; values outside 1..8 are ignored, as PIL does. */
  static ExifOrientation fromTag(int value) {
    return value >= 1 && value <= 8 ? values()[value - 1] : NORMAL;
  }

  /** The orientation recorded in an encoded image, or {@link #NORMAL} when it records none. */
  static ExifOrientation of(ImageFormat format, byte[] encoded) {
    try {
      return switch (format) {
        case JPEG -> fromJpeg(encoded);
        case PNG -> fromExifBlock(pngExifChunk(encoded));
        case WEBP -> fromExifBlock(webpExifChunk(encoded));
        case TIFF -> fromTiffStructure(encoded, 0, encoded.length);
        case GIF, BMP -> NORMAL;
      };
    } catch (IOException | RuntimeException unreadableExif) {
      return NORMAL;
    }
  }

  /** Whether the upright image is the stored one turned a quarter (its width is the stored height). */
  boolean swapsAxes() {
    return swapsAxes;
  }

  /**
   * The rectangle of the stored {@code width x height} image that holds {@code upright}, a rectangle of the upright
   * image; {@link #apply} of exactly that stored rectangle gives exactly the upright one.
   */
  Window.Rect storedRect(Window.Rect upright, int width, int height) {
    int x0 = upright.x();
    int y0 = upright.y();
    int x1 = x0 + upright.width();
    int y1 = y0 + upright.height();
    return switch (this) {
      case NORMAL -> upright;
      case MIRROR_HORIZONTAL -> new Window.Rect(width - x1, y0, x1 - x0, y1 - y0);
      case ROTATE_180 -> new Window.Rect(width - x1, height - y1, x1 - x0, y1 - y0);
      case MIRROR_VERTICAL -> new Window.Rect(x0, height - y1, x1 - x0, y1 - y0);
      case TRANSPOSE -> new Window.Rect(y0, x0, y1 - y0, x1 - x0);
      case ROTATE_90_CLOCKWISE -> new Window.Rect(y0, height - x1, y1 - y0, x1 - x0);
      case TRANSVERSE -> new Window.Rect(width - y1, height - x1, y1 - y0, x1 - x0);
      case ROTATE_90_COUNTER_CLOCKWISE -> new Window.Rect(width - y1, x0, y1 - y0, x1 - x0);
    };
  }

  /** The upright image: pixel (x, y) of the result comes from the stored pixel this orientation maps it to. */
  RgbImage apply(RgbImage in) {
    if (this == NORMAL) {
      return in;
    }
    int w = in.width();
    int h = in.height();
    int outW = swapsAxes ? h : w;
    int outH = swapsAxes ? w : h;
    // Source pixel index = start + x * stepX + y * stepY, in pixels of the stored image.
    int start;
    int stepX;
    int stepY;
    switch (this) {
      case MIRROR_HORIZONTAL -> { start = w - 1; stepX = -1; stepY = w; }
      case ROTATE_180 -> { start = h * w - 1; stepX = -1; stepY = -w; }
      case MIRROR_VERTICAL -> { start = (h - 1) * w; stepX = 1; stepY = -w; }
      case TRANSPOSE -> { start = 0; stepX = w; stepY = 1; }
      case ROTATE_90_CLOCKWISE -> { start = (h - 1) * w; stepX = -w; stepY = 1; }
      case TRANSVERSE -> { start = h * w - 1; stepX = -w; stepY = -1; }
      case ROTATE_90_COUNTER_CLOCKWISE -> { start = w - 1; stepX = w; stepY = -1; }
      default -> throw new AssertionError(this);
    }
    byte[] src = in.pixels();
    byte[] dst = new byte[src.length];
    int o = 0;
    for (int y = 0; y < outH; y++) {
      int s = start + y * stepY;
      for (int x = 0; x < outW; x++, s += stepX) {
        int si = s * 3;
        dst[o++] = src[si];
        dst[o++] = src[si + 1];
        dst[o++] = src[si + 2];
      }
    }
    return new RgbImage(outW, outH, dst);
  }

  private static ExifOrientation fromJpeg(byte[] encoded) throws IOException {
    List<JPEGSegment> exif;
    try (ImageInputStream in = new ByteArrayImageInputStream(encoded)) {
      exif = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
    }
    if (exif.isEmpty()) {
      return NORMAL;
    }
    return fromExifBlock(exif.get(0).segmentData().readAllBytes());
  }

  /** An EXIF block is a TIFF structure, in JPEG always and elsewhere sometimes preceded by "Exif\0\0". */
  private static ExifOrientation fromExifBlock(byte[] block) throws IOException {
    if (block == null) {
      return NORMAL;
    }
    int offset = startsWith(block, 0, EXIF_PREFIX) ? EXIF_PREFIX.length : 0;
    return fromTiffStructure(block, offset, block.length - offset);
  }

  private static ExifOrientation fromTiffStructure(byte[] data, int offset, int length) throws IOException {
    if (length < 8) {
      return NORMAL;
    }
    Directory directory;
    try (ImageInputStream in = new ByteArrayImageInputStream(data, offset, length)) {
      directory = new TIFFReader().read(in);
    }
    // Only IFD0 describes the main image; IFD1 belongs to the thumbnail.
    Directory ifd0 = directory instanceof CompoundDirectory compound && compound.directoryCount() > 0
        ? compound.getDirectory(0) : directory;
    Entry entry = ifd0.getEntryById(TIFF.TAG_ORIENTATION);
    return entry != null && entry.getValue() instanceof Number n ? fromTag(n.intValue()) : NORMAL;
  }

  /** The payload of the first eXIf chunk; PNG chunks are length (big-endian), type, data, CRC. */
  private static byte[] pngExifChunk(byte[] png) {
    int pos = 8;
    while (pos + 8 <= png.length) {
      long length = readInt(png, pos, true) & 0xFFFFFFFFL;
      String type = new String(png, pos + 4, 4, StandardCharsets.US_ASCII);
      long dataStart = pos + 8L;
      if (dataStart + length > png.length) {
        return null;
      }
      if (type.equals("eXIf")) {
        return Arrays.copyOfRange(png, (int) dataStart, (int) (dataStart + length));
      }
      if (type.equals("IEND")) {
        return null;
      }
      pos = (int) (dataStart + length + 4);
    }
    return null;
  }

  /** The payload of the EXIF chunk of a RIFF/WebP file; chunks are FourCC, length (little-endian), data padded to even. */
  private static byte[] webpExifChunk(byte[] webp) {
    int pos = 12;
    while (pos + 8 <= webp.length) {
      String fourCc = new String(webp, pos, 4, StandardCharsets.US_ASCII);
      long length = readInt(webp, pos + 4, false) & 0xFFFFFFFFL;
      long dataStart = pos + 8L;
      if (dataStart + length > webp.length) {
        return null;
      }
      if (fourCc.equals("EXIF")) {
        return Arrays.copyOfRange(webp, (int) dataStart, (int) (dataStart + length));
      }
      pos = (int) (dataStart + length + (length & 1));
    }
    return null;
  }

  private static int readInt(byte[] b, int pos, boolean bigEndian) {
    int b0 = b[pos] & 0xFF;
    int b1 = b[pos + 1] & 0xFF;
    int b2 = b[pos + 2] & 0xFF;
    int b3 = b[pos + 3] & 0xFF;
    return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0;
  }

  private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
    if (data.length < offset + prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[offset + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
