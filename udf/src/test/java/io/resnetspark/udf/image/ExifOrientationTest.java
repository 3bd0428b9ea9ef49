package io.resnetspark.udf.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ExifOrientationTest {

  /**
   * A 3x2 image whose pixels are labelled 1..6 (in the red channel):
   * <pre>
   *   1 2 3
   *   4 5 6
   * </pre>
   */
  private static final RgbImage STORED = labelled(3, 2, 1, 2, 3, 4, 5, 6);

  @Test
  void eachTagValueGivesPilsTranspose() {
    assertLabels(ExifOrientation.fromTag(1), 3, 2, 1, 2, 3, 4, 5, 6);
    assertLabels(ExifOrientation.fromTag(2), 3, 2, 3, 2, 1, 6, 5, 4); // mirrored left-right
    assertLabels(ExifOrientation.fromTag(3), 3, 2, 6, 5, 4, 3, 2, 1); // rotated 180
    assertLabels(ExifOrientation.fromTag(4), 3, 2, 4, 5, 6, 1, 2, 3); // mirrored top-bottom
    assertLabels(ExifOrientation.fromTag(5), 2, 3, 1, 4, 2, 5, 3, 6); // transposed
    assertLabels(ExifOrientation.fromTag(6), 2, 3, 4, 1, 5, 2, 6, 3); // turned clockwise
    assertLabels(ExifOrientation.fromTag(7), 2, 3, 6, 3, 5, 2, 4, 1); // transversed
    assertLabels(ExifOrientation.fromTag(8), 2, 3, 3, 6, 2, 5, 1, 4); // turned counter-clockwise
  }

  @Test
  void valuesOutsideTheTagsRangeMeanUpright() {
    assertSame(ExifOrientation.NORMAL, ExifOrientation.fromTag(0));
    assertSame(ExifOrientation.NORMAL, ExifOrientation.fromTag(9));
    assertSame(ExifOrientation.NORMAL, ExifOrientation.fromTag(-1));
  }

  @Test
  void readsTheTagFromEachContainer() {
    for (int value = 1; value <= 8; value++) {
      assertEquals(ExifOrientation.fromTag(value), of(ImageFormat.JPEG, "exif-orientation-" + value + ".jpg"));
    }
    assertEquals(ExifOrientation.ROTATE_90_CLOCKWISE, of(ImageFormat.PNG, "exif-orientation-6.png"));
    assertEquals(ExifOrientation.ROTATE_180, of(ImageFormat.WEBP, "exif-orientation-3.webp"));
    assertEquals(ExifOrientation.ROTATE_90_COUNTER_CLOCKWISE, of(ImageFormat.TIFF, "exif-orientation-8.tif"));
  }

  @Test
  void noOrBrokenExifMeansUpright() {
    assertEquals(ExifOrientation.NORMAL, of(ImageFormat.JPEG, "rgb-baseline.jpg"));
    assertEquals(ExifOrientation.NORMAL, of(ImageFormat.PNG, "rgb.png"));
    assertEquals(ExifOrientation.NORMAL, of(ImageFormat.GIF, "two-frames.gif"));
    byte[] jpeg = Corpus.entry("exif-orientation-6.jpg").bytes();
    int exif = indexOf(jpeg, "Exif".getBytes());
    for (int i = exif + 6; i < exif + 30; i++) {
      jpeg[i] = (byte) 0xEE; // the TIFF header and IFD0 become garbage
    }
    assertEquals(ExifOrientation.NORMAL, ExifOrientation.of(ImageFormat.JPEG, jpeg));
    assertEquals(ExifOrientation.NORMAL, ExifOrientation.of(ImageFormat.PNG, new byte[] {(byte) 0x89, 'P'}));
  }

  @Test
  void uprightImagesAreNotCopied() {
    assertSame(STORED, ExifOrientation.NORMAL.apply(STORED));
  }

  private static ExifOrientation of(ImageFormat format, String corpusFile) {
    return ExifOrientation.of(format, Corpus.entry(corpusFile).bytes());
  }

  private static void assertLabels(ExifOrientation orientation, int width, int height, int... labels) {
    RgbImage upright = orientation.apply(STORED);
    assertEquals(width + "x" + height, upright.width() + "x" + upright.height(), orientation.name());
    int[] actual = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      actual[i] = upright.sample(i % width, i / width, 0);
      assertEquals(actual[i] * 10, upright.sample(i % width, i / width, 1), "green travels with red");
    }
    assertArrayEquals(labels, actual, orientation.name());
  }

  private static RgbImage labelled(int width, int height, int... labels) {
    byte[] px = new byte[width * height * 3];
    for (int i = 0; i < labels.length; i++) {
      px[i * 3] = (byte) labels[i];
      px[i * 3 + 1] = (byte) (labels[i] * 10);
      px[i * 3 + 2] = (byte) (labels[i] * 20);
    }
    return new RgbImage(width, height, px);
  }

  private static int indexOf(byte[] data, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= data.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
