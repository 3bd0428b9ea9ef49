package io.resnetspark.udf.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageFormatTest {

  @Test
  void recognisesEachFormatByItsSignature() {
    assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.sniff(bytes(0xFF, 0xD8, 0xFF, 0xE0)));
    assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.sniff(bytes(0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0)));
    assertEquals(Optional.of(ImageFormat.GIF), ImageFormat.sniff("GIF87a...".getBytes()));
    assertEquals(Optional.of(ImageFormat.GIF), ImageFormat.sniff("GIF89a...".getBytes()));
    assertEquals(Optional.of(ImageFormat.WEBP), ImageFormat.sniff("RIFF\0\0\0\0WEBPVP8 ".getBytes()));
    assertEquals(Optional.of(ImageFormat.TIFF), ImageFormat.sniff(bytes('I', 'I', 42, 0, 8, 0, 0, 0)));
    assertEquals(Optional.of(ImageFormat.TIFF), ImageFormat.sniff(bytes('M', 'M', 0, 42, 0, 0, 0, 8)));
    assertEquals(Optional.of(ImageFormat.TIFF), ImageFormat.sniff(bytes('I', 'I', 43, 0, 8, 0, 0, 0)), "BigTIFF");
    assertEquals(Optional.of(ImageFormat.BMP), ImageFormat.sniff(bmpHeader(40)));
    assertEquals(Optional.of(ImageFormat.BMP), ImageFormat.sniff(bmpHeader(124)));
  }

  @Test
  void recognisesEveryGoodCorpusFile() {
    for (Corpus.Entry entry : Corpus.entries()) {
      if (entry.error().isEmpty()) {
        String extension = entry.file().substring(entry.file().lastIndexOf('.') + 1);
        ImageFormat expected = switch (extension) {
          case "jpg" -> ImageFormat.JPEG;
          case "tif" -> ImageFormat.TIFF;
          default -> ImageFormat.valueOf(extension.toUpperCase(Locale.ROOT));
        };
        assertEquals(Optional.of(expected), ImageFormat.sniff(entry.bytes()), entry.file());
      }
    }
  }

  @Test
  void rejectsOtherData() {
    assertEquals(Optional.empty(), ImageFormat.sniff(new byte[0]));
    assertEquals(Optional.empty(), ImageFormat.sniff(bytes(0xFF, 0xD8)), "too short for a JPEG signature");
    assertEquals(Optional.empty(), ImageFormat.sniff("RIFF\0\0\0\0WAVEfmt ".getBytes()), "a RIFF that is not WebP");
    assertEquals(Optional.empty(), ImageFormat.sniff("BMW cars are not bitmaps".getBytes()));
    assertEquals(Optional.empty(), ImageFormat.sniff(bmpHeader(41)), "BM with an unknown DIB header size");
    assertEquals(Optional.empty(), ImageFormat.sniff("%PDF-1.7".getBytes()));
  }

  @Test
  void usesTwelveMonkeysReadersWhereTheJdkHasNoneOrAWeakerOne() {
    assertTrue(ImageFormat.JPEG.provider().getClass().getName().startsWith("com.twelvemonkeys"));
    assertTrue(ImageFormat.BMP.provider().getClass().getName().startsWith("com.twelvemonkeys"));
    assertTrue(ImageFormat.WEBP.provider().getClass().getName().startsWith("com.twelvemonkeys"));
    assertTrue(ImageFormat.TIFF.provider().getClass().getName().startsWith("com.twelvemonkeys"));
    assertEquals("com.sun.imageio.plugins.png.PNGImageReaderSpi", ImageFormat.PNG.provider().getClass().getName());
    assertEquals("com.sun.imageio.plugins.gif.GIFImageReaderSpi", ImageFormat.GIF.provider().getClass().getName());
  }

  @Test
  void describesTheFirstBytesInHex() {
    assertEquals("54 65 78 74", ImageFormat.describeStart("Text".getBytes()));
    assertEquals("00 01 02 03 04 05 06 07 ...", ImageFormat.describeStart(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8}));
  }

  private static byte[] bmpHeader(int dibHeaderSize) {
    byte[] b = new byte[54];
    b[0] = 'B';
    b[1] = 'M';
    b[14] = (byte) dibHeaderSize;
    return b;
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
