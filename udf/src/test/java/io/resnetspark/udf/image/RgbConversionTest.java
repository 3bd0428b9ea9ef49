package io.resnetspark.udf.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RgbConversionTest {

  @Test
  void threeByteBgrBecomesRgb() {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
    image.getRaster().setPixel(0, 0, new int[] {10, 20, 30});
    image.getRaster().setPixel(1, 0, new int[] {255, 0, 128});

    assertArrayEquals(bytes(10, 20, 30, 255, 0, 128), RgbConversion.toRgb(image).pixels());
  }

  @Test
  void alphaIsDroppedNotComposited() {
    // PIL's convert("RGB") keeps the stored colour of a fully transparent pixel.
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
    image.getRaster().setPixel(0, 0, new int[] {200, 100, 50, 0});
    image.getRaster().setPixel(1, 0, new int[] {1, 2, 3, 128});

    assertArrayEquals(bytes(200, 100, 50, 1, 2, 3), RgbConversion.toRgb(image).pixels());
  }

  @Test
  void packedIntPixelsAreUnpacked() {
    BufferedImage rgb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    rgb.getRaster().setDataElements(0, 0, new int[] {0x112233});
    BufferedImage bgr = new BufferedImage(1, 1, BufferedImage.TYPE_INT_BGR);
    bgr.getRaster().setPixel(0, 0, new int[] {0x11, 0x22, 0x33});
    BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    argb.getRaster().setDataElements(0, 0, new int[] {0x00445566});

    assertArrayEquals(bytes(0x11, 0x22, 0x33), RgbConversion.toRgb(rgb).pixels());
    assertArrayEquals(bytes(0x11, 0x22, 0x33), RgbConversion.toRgb(bgr).pixels());
    assertArrayEquals(bytes(0x44, 0x55, 0x66), RgbConversion.toRgb(argb).pixels());
  }

  @Test
  void greyIsReplicatedToThreeChannels() {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setPixel(0, 0, new int[] {7});
    image.getRaster().setPixel(1, 0, new int[] {250});

    assertArrayEquals(bytes(7, 7, 7, 250, 250, 250), RgbConversion.toRgb(image).pixels());
  }

  @Test
  void sixteenBitGreyIsClippedLikePilModeI() {
    BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
    image.getRaster().setPixels(0, 0, 3, 1, new int[] {200, 256, 65535});

    assertArrayEquals(bytes(200, 200, 200, 255, 255, 255, 255, 255, 255), RgbConversion.toRgb(image).pixels());
  }

  @Test
  void sixteenBitColourKeepsTheHighByte() {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
        Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(1, 1);
    raster.setPixel(0, 0, new int[] {0x12FF, 0xAB00, 0x0001});

    RgbImage rgb = RgbConversion.toRgb(new BufferedImage(cm, raster, false, null));

    assertArrayEquals(bytes(0x12, 0xAB, 0x00), rgb.pixels());
  }

  @Test
  void sixteenBitGreyWithAlphaKeepsTheHighByte() {
    // PIL opens a 16-bit grey+alpha PNG as RGBA from the high bytes ("LA;16B").
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
        Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(1, 1);
    raster.setPixel(0, 0, new int[] {0x3456, 0xFFFF});

    assertArrayEquals(bytes(0x34, 0x34, 0x34), RgbConversion.toRgb(new BufferedImage(cm, raster, false, null)).pixels());
  }

  @Test
  void paletteIndicesBecomeTheirColoursAndUnknownIndicesBlack() {
    byte[] r = bytes(10, 40);
    byte[] g = bytes(20, 50);
    byte[] b = bytes(30, 60);
    IndexColorModel palette = new IndexColorModel(8, 2, r, g, b, 1); // index 1 transparent: colour still used
    BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
    image.getRaster().setPixels(0, 0, 3, 1, new int[] {1, 0, 5});

    assertArrayEquals(bytes(40, 50, 60, 10, 20, 30, 0, 0, 0), RgbConversion.toRgb(image).pixels());
  }

  @Test
  void bitPackedImagesAreRead() {
    BufferedImage image = new BufferedImage(9, 1, BufferedImage.TYPE_BYTE_BINARY);
    image.getRaster().setPixels(0, 0, 9, 1, new int[] {1, 0, 0, 0, 0, 0, 0, 0, 1});

    byte[] rgb = RgbConversion.toRgb(image).pixels();

    assertEquals(-1, rgb[0]);
    assertEquals(0, rgb[3]);
    assertEquals(-1, rgb[24]);
  }

  @Test
  void premultipliedAlphaFallsBackToColourManagedUnpremultiplying() {
    BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB_PRE);
    image.setRGB(0, 0, 0xFF102030);

    assertArrayEquals(bytes(0x10, 0x20, 0x30), RgbConversion.toRgb(image).pixels());
  }

  @Test
  void cmykUsesPilsNaiveFormulaWithItsRounding() {
    // Image.new("CMYK", (1, 1), cmyk).convert("RGB") in Pillow 9.4.
    int[][] cases = {{128, 0, 0, 128, 63, 127, 127}, {255, 0, 0, 0, 0, 255, 255}, {0, 0, 0, 255, 0, 0, 0},
        {200, 100, 50, 30, 49, 137, 181}, {1, 254, 77, 3, 251, 1, 176}};
    ComponentColorModel cm = new ComponentColorModel(new CmykSpace(), false, false, Transparency.OPAQUE,
        DataBuffer.TYPE_BYTE);
    for (int[] c : cases) {
      WritableRaster raster = cm.createCompatibleWritableRaster(1, 1);
      raster.setPixel(0, 0, new int[] {c[0], c[1], c[2], c[3]});

      byte[] rgb = RgbConversion.toRgb(new BufferedImage(cm, raster, false, null)).pixels();

      assertArrayEquals(bytes(c[4], c[5], c[6]), rgb, Arrays.toString(c));
      assertEquals(c[4], RgbConversion.cmykChannel(c[0], c[3]));
    }
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** A CMYK colour space for building test images; only its type and component count matter here. */
  private static final class CmykSpace extends ColorSpace {
    private static final long serialVersionUID = 1L;

    CmykSpace() {
      super(TYPE_CMYK, 4);
    }

    @Override
    public float[] toRGB(float[] v) {
      return new float[] {(1 - v[0]) * (1 - v[3]), (1 - v[1]) * (1 - v[3]), (1 - v[2]) * (1 - v[3])};
    }

    @Override
    public float[] fromRGB(float[] rgb) {
      return new float[] {1 - rgb[0], 1 - rgb[1], 1 - rgb[2], 0};
    }

    @Override
    public float[] toCIEXYZ(float[] v) {
      return getInstance(CS_sRGB).toCIEXYZ(toRGB(v));
    }

    @Override
    public float[] fromCIEXYZ(float[] xyz) {
      return fromRGB(getInstance(CS_sRGB).fromCIEXYZ(xyz));
    }
  }
}
