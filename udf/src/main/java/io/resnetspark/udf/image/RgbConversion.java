package io.resnetspark.udf.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferUShort;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;

/**
 * Decoded ImageIO images to 8-bit RGB with the semantics of PIL's {@code Image.convert("RGB")}, which torchvision's
 * loader applies to every image:
 * <ul>
 *   <li>alpha is dropped, never composited (RGBA, LA, palette transparency: the stored colour stays);</li>
 *   <li>grey is replicated to three channels; a palette index becomes its palette colour;</li>
 *   <li>16-bit colour or grey+alpha keeps the high byte (PIL unpacks "RGB;16B" and "LA;16B" that way), but a
 *       single 16-bit grey channel is <em>clipped</em> to 255, because PIL opens it as a 32-bit integer image
 *       ("I" or "I;16") whose conversion to RGB clamps; most 16-bit grey pictures therefore become nearly white,
 *       exactly as in torchvision;</li>
 *   <li>CMYK uses PIL's naive formula {@code (255-K) - C*(255-K)/255} with PIL's rounding, not an ICC transform;</li>
 *   <li>embedded ICC profiles are ignored: the stored RGB values are used as they are, as PIL does.</li>
 * </ul>
 * The common layouts (interleaved or banded bytes and shorts, palettes, packed ints) are read straight from the
 * data buffers; anything else goes through {@link BufferedImage#getRGB}, a colour-managed and slower path.
 */
final class RgbConversion {

  private RgbConversion() {}

  static RgbImage toRgb(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm instanceof IndexColorModel icm) {
      return fromPalette(raster, icm);
    }
    if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()
        && raster.getSampleModel() instanceof ComponentSampleModel) {
      int space = cm.getColorSpace().getType();
      int colours = cm.getNumColorComponents();
      int dataType = raster.getDataBuffer().getDataType();
      boolean knownSpace = space == ColorSpace.TYPE_RGB && colours == 3 || space == ColorSpace.TYPE_GRAY && colours == 1
          || space == ColorSpace.TYPE_CMYK && colours == 4;
      if (knownSpace && (dataType == DataBuffer.TYPE_BYTE || dataType == DataBuffer.TYPE_USHORT)) {
        return fromComponents(raster, space, cm.getNumComponents());
      }
    }
    if (cm instanceof DirectColorModel dcm && !dcm.isAlphaPremultiplied()
        && raster.getSampleModel() instanceof SinglePixelPackedSampleModel
        && raster.getDataBuffer() instanceof DataBufferInt && hasEightBitMasks(dcm)) {
      return fromPackedInts(raster, dcm);
    }
    return fromColourManaged(image);
  }

  /** PIL's CMYK to RGB for one channel: {@code nk - MULDIV255(c, nk)} with {@code nk = 255 - k}. */
  static int cmykChannel(int c, int k) {
    int nk = 255 - k;
    int t = c * nk + 128;
    int v = nk - (((t >> 8) + t) >> 8);
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private static RgbImage fromPalette(Raster raster, IndexColorModel icm) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int size = icm.getMapSize();
    byte[] reds = new byte[size];
    byte[] greens = new byte[size];
    byte[] blues = new byte[size];
    icm.getReds(reds);
    icm.getGreens(greens);
    icm.getBlues(blues);
    byte[] out = new byte[3 * w * h];
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        int i = row[x];
        if (i < size) {
          out[o] = reds[i];
          out[o + 1] = greens[i];
          out[o + 2] = blues[i];
        } // else an index past the palette stays black, as PIL's zero-filled palette gives
        o += 3;
      }
    }
    return new RgbImage(w, h, out);
  }

  private static RgbImage fromComponents(Raster raster, int space, int bands) {
    ComponentSampleModel sm = (ComponentSampleModel) raster.getSampleModel();
    DataBuffer buffer = raster.getDataBuffer();
    int w = raster.getWidth();
    int h = raster.getHeight();
    int pixelStride = sm.getPixelStride();
    int lineStride = sm.getScanlineStride();
    int used = space == ColorSpace.TYPE_GRAY ? 1 : space == ColorSpace.TYPE_CMYK ? 4 : 3;
    int originX = raster.getMinX() - raster.getSampleModelTranslateX();
    int originY = raster.getMinY() - raster.getSampleModelTranslateY();
    int[] start = new int[used];
    Object[] banks = new Object[used];
    for (int b = 0; b < used; b++) {
      int bank = sm.getBankIndices()[b];
      start[b] = buffer.getOffsets()[bank] + sm.getBandOffsets()[b] + originY * lineStride + originX * pixelStride;
      banks[b] = buffer instanceof DataBufferByte bytes ? bytes.getData(bank) : ((DataBufferUShort) buffer).getData(bank);
    }
    if (space == ColorSpace.TYPE_RGB && banks[0] instanceof byte[] data && banks[1] == data && banks[2] == data) {
      return fromInterleavedBytes(data, start, w, h, pixelStride, lineStride);
    }
    // A lone 16-bit grey channel is clipped like PIL's "I" mode; with alpha (PIL's "LA;16B") it keeps the high byte.
    boolean clipGrey16 = space == ColorSpace.TYPE_GRAY && bands == 1;
    int[][] rows = new int[used][w];
    byte[] out = new byte[3 * w * h];
    int o = 0;
    for (int y = 0; y < h; y++) {
      for (int b = 0; b < used; b++) {
        int first = start[b] + y * lineStride;
        if (banks[b] instanceof byte[] bytes) {
          readRow(bytes, first, pixelStride, rows[b]);
        } else {
          readRow((short[]) banks[b], first, pixelStride, clipGrey16, rows[b]);
        }
      }
      if (space == ColorSpace.TYPE_GRAY) {
        int[] g = rows[0];
        for (int x = 0; x < w; x++) {
          byte v = (byte) g[x];
          out[o++] = v;
          out[o++] = v;
          out[o++] = v;
        }
      } else if (space == ColorSpace.TYPE_CMYK) {
        int[] k = rows[3];
        for (int x = 0; x < w; x++) {
          out[o++] = (byte) cmykChannel(rows[0][x], k[x]);
          out[o++] = (byte) cmykChannel(rows[1][x], k[x]);
          out[o++] = (byte) cmykChannel(rows[2][x], k[x]);
        }
      } else {
        int[] r = rows[0];
        int[] g = rows[1];
        int[] bl = rows[2];
        for (int x = 0; x < w; x++) {
          out[o++] = (byte) r[x];
          out[o++] = (byte) g[x];
          out[o++] = (byte) bl[x];
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /** The common case (JPEG's BGR, PNG's RGB and RGBA): one byte array, samples interleaved. */
  private static RgbImage fromInterleavedBytes(byte[] data, int[] start, int w, int h, int pixelStride,
      int lineStride) {
    byte[] out = new byte[3 * w * h];
    int o = 0;
    for (int y = 0; y < h; y++) {
      int r = start[0] + y * lineStride;
      int g = start[1] + y * lineStride;
      int b = start[2] + y * lineStride;
      for (int x = 0; x < w; x++, r += pixelStride, g += pixelStride, b += pixelStride) {
        out[o++] = data[r];
        out[o++] = data[g];
        out[o++] = data[b];
      }
    }
    return new RgbImage(w, h, out);
  }

  private static void readRow(byte[] data, int first, int stride, int[] row) {
    for (int x = 0, i = first; x < row.length; x++, i += stride) {
      row[x] = data[i] & 0xFF;
    }
  }

  private static void readRow(short[] data, int first, int stride, boolean clip, int[] row) {
    for (int x = 0, i = first; x < row.length; x++, i += stride) {
      row[x] = sixteenToEight(data[i] & 0xFFFF, clip);
    }
  }

  private static int sixteenToEight(int value, boolean clip) {
    return clip ? Math.min(value, 255) : value >>> 8;
  }

  private static boolean hasEightBitMasks(DirectColorModel dcm) {
    return Integer.bitCount(dcm.getRedMask()) == 8 && Integer.bitCount(dcm.getGreenMask()) == 8
        && Integer.bitCount(dcm.getBlueMask()) == 8;
  }

  private static RgbImage fromPackedInts(Raster raster, DirectColorModel dcm) {
    SinglePixelPackedSampleModel sm = (SinglePixelPackedSampleModel) raster.getSampleModel();
    DataBufferInt buffer = (DataBufferInt) raster.getDataBuffer();
    int[] data = buffer.getData();
    int w = raster.getWidth();
    int h = raster.getHeight();
    int stride = sm.getScanlineStride();
    int first = buffer.getOffset() + (raster.getMinY() - raster.getSampleModelTranslateY()) * stride
        + raster.getMinX() - raster.getSampleModelTranslateX();
    int rShift = Integer.numberOfTrailingZeros(dcm.getRedMask());
    int gShift = Integer.numberOfTrailingZeros(dcm.getGreenMask());
    int bShift = Integer.numberOfTrailingZeros(dcm.getBlueMask());
    byte[] out = new byte[3 * w * h];
    int o = 0;
    for (int y = 0; y < h; y++) {
      int i = first + y * stride;
      for (int x = 0; x < w; x++, i++) {
        int p = data[i];
        out[o++] = (byte) (p >>> rShift);
        out[o++] = (byte) (p >>> gShift);
        out[o++] = (byte) (p >>> bShift);
      }
    }
    return new RgbImage(w, h, out);
  }

  private static RgbImage fromColourManaged(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[3 * w * h];
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        out[o++] = (byte) (p >> 16);
        out[o++] = (byte) (p >> 8);
        out[o++] = (byte) p;
      }
    }
    return new RgbImage(w, h, out);
  }
}
