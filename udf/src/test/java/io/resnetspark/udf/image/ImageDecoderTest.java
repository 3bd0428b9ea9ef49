package io.resnetspark.udf.image;

import com.sun.management.ThreadMXBean;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {

  private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

  static Stream<Corpus.Entry> goodImages() {
    return Corpus.entries().stream().filter(e -> e.error().isEmpty());
  }

  static Stream<Corpus.Entry> badImages() {
    return Corpus.entries().stream().filter(e -> e.error().isPresent());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodImages")
  void decodesLikePilConvertRgbAfterExifTranspose(Corpus.Entry entry) throws ImageFailure {
    RgbImage expected = entry.expected();

    RgbImage actual = decoder.decode(entry.bytes());

    assertEquals(expected.width() + "x" + expected.height(), actual.width() + "x" + actual.height(), "size");
    Difference d = Difference.of(expected, actual);
    if (entry.file().endsWith("lossy.webp")) {
      // TwelveMonkeys' pure-Java VP8 decoder takes chroma from the nearest sample and rounds YUV->RGB its own way,
      // where libwebp (PIL) interpolates chroma: about one level apart on average.
      assertTrue(d.mean() <= 1.5 && d.max() <= 24, entry + ": " + d);
    } else if (entry.file().endsWith(".jpg")) {
      // The same libjpeg as PIL's gives identical pixels (asserted below); another libjpeg build may differ slightly.
      assertTrue(d.mean() <= 0.5 && d.max() <= 8, entry + ": " + d);
    } else {
      assertArrayEquals(expected.pixels(), actual.pixels(), entry + ": " + d);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badImages")
  void refusesBadInputWithItsErrorCode(Corpus.Entry entry) {
    ImageFailure e = assertThrows(ImageFailure.class, () -> decoder.decode(entry.bytes()));

    assertEquals(entry.error().orElseThrow(), e.code(), e.getMessage());
  }

  @Test
  void jpegDecodingMatchesPilExactlyOnThisMachinesLibjpeg() throws ImageFailure {
    // The JDK here links the same libjpeg-turbo as PIL: baseline, progressive, 4:4:4, grey, CMYK, YCCK agree exactly.
    for (String file : new String[] {"rgb-baseline.jpg", "rgb-progressive.jpg", "rgb-444.jpg", "gray.jpg",
        "cmyk.jpg", "cmyk-icc.jpg", "ycck.jpg", "rgb-icc-adobergb.jpg", "exif-orientation-6.jpg"}) {
      Corpus.Entry entry = Corpus.entry(file);
      assertEquals(0, Difference.of(entry.expected(), decoder.decode(entry.bytes())).max(), file);
    }
  }

  @Test
  void emptyAndNullInputAreEmpty() {
    assertEquals(ErrorCode.EMPTY, assertThrows(ImageFailure.class, () -> decoder.decode(new byte[0])).code());
    assertEquals(ErrorCode.EMPTY, assertThrows(ImageFailure.class, () -> decoder.decode(null)).code());
  }

  @Test
  void hugeHeaderIsRefusedFromTheHeaderWithoutAllocatingPixels() {
    byte[] png = Corpus.entry("huge-header.png").bytes();
    byte[] jpeg = Corpus.entry("huge-header.jpg").bytes();
    var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    decodeQuietly(png); // class loading and reader set-up are not what is measured
    long before = threads.getThreadAllocatedBytes(id);
    long start = System.nanoTime();

    ImageFailure fromPng = assertThrows(ImageFailure.class, () -> decoder.decode(png));
    ImageFailure fromJpeg = assertThrows(ImageFailure.class, () -> decoder.decode(jpeg));

    long allocated = threads.getThreadAllocatedBytes(id) - before;
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(ErrorCode.TOO_LARGE, fromPng.code());
    assertEquals(ErrorCode.TOO_LARGE, fromJpeg.code());
    assertTrue(fromPng.getMessage().contains("40000x40000"), fromPng.getMessage());
    // Decoding would need 4.8 GB; refusing needs next to nothing.
    assertTrue(allocated < 8 << 20, "allocated " + allocated + " bytes");
    assertTrue(millis < 2000, "took " + millis + " ms");
  }

  @Test
  void pixelLimitCountsWidthTimesHeight() throws ImageFailure {
    byte[] jpeg = Corpus.entry("rgb-baseline.jpg").bytes(); // 48 x 36 = 1728 pixels

    new ImageDecoder(new ImageLimits(1728, 1 << 20)).decode(jpeg);
    ImageFailure e = assertThrows(ImageFailure.class,
        () -> new ImageDecoder(new ImageLimits(1727, 1 << 20)).decode(jpeg));

    assertEquals(ErrorCode.TOO_LARGE, e.code());
    assertTrue(e.getMessage().contains("1728 pixels"), e.getMessage());
  }

  @Test
  void byteLimitIsCheckedBeforeLookingAtTheData() {
    byte[] jpeg = Corpus.entry("rgb-baseline.jpg").bytes();

    ImageFailure e = assertThrows(ImageFailure.class,
        () -> new ImageDecoder(new ImageLimits(1 << 20, jpeg.length - 1)).decode(jpeg));

    assertEquals(ErrorCode.TOO_LARGE, e.code());
    assertTrue(e.getMessage().contains(jpeg.length + " bytes"), e.getMessage());
  }

  @Test
  void unsupportedFormatMessageShowsTheFirstBytes() {
    ImageFailure e = assertThrows(ImageFailure.class, () -> decoder.decode("GIF? no, text".getBytes()));

    assertEquals(ErrorCode.UNSUPPORTED_FORMAT, e.code());
    assertTrue(e.getMessage().contains("47 49 46 3f"), e.getMessage());
  }

  @Test
  void truncationMessageSaysTruncated() {
    ImageFailure e = assertThrows(ImageFailure.class, () -> decoder.decode(Corpus.entry("truncated.jpg").bytes()));

    assertEquals(ErrorCode.CORRUPT, e.code());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  private void decodeQuietly(byte[] data) {
    try {
      decoder.decode(data);
    } catch (ImageFailure expected) {
      // only warming up
    }
  }
  @ParameterizedTest(name = "exif-orientation-{0}.jpg")
  @MethodSource("orientations")
  void aDecodedRegionHoldsTheSamePixelsAsTheWholeImageInEveryOrientation(int orientation) throws ImageFailure {
    byte[] jpeg = Corpus.entry("exif-orientation-" + orientation + ".jpg").bytes();
    RgbImage whole = decoder.decode(jpeg);
    Window.Rect asked = new Window.Rect(whole.width() / 5, whole.height() / 3, whole.width() / 2,
        whole.height() / 2);

    Window window = decoder.decodeRegion(jpeg, (w, h) -> {
      assertEquals(whole.width() + "x" + whole.height(), w + "x" + h, "the picker sees the upright size");
      return asked;
    });

    assertEquals(asked, window.rect());
    assertEquals(whole.width() + "x" + whole.height(), window.fullWidth() + "x" + window.fullHeight());
    for (int y = 0; y < asked.height(); y++) {
      for (int x = 0; x < asked.width(); x++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(whole.sample(asked.x() + x, asked.y() + y, c), window.pixels().sample(x, y, c),
              "pixel " + x + "," + y);
        }
      }
    }
  }

  static Stream<Integer> orientations() {
    return Stream.of(1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void aJpegCutShortBelowTheDecodedRegionIsStillRefusedAsTruncated() throws ImageFailure {
    byte[] whole = Corpus.entry("rgb-baseline.jpg").bytes();
    byte[] cut = Arrays.copyOf(whole, whole.length * 9 / 10);
    RgbImage full = decoder.decode(whole);

    ImageFailure e = assertThrows(ImageFailure.class,
        () -> decoder.decodeRegion(cut, (w, h) -> new Window.Rect(0, 0, w, h / 4)));

    assertEquals(ErrorCode.CORRUPT, e.code());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertEquals(full.height() / 4, decoder.decodeRegion(whole, (w, h) -> new Window.Rect(0, 0, w, h / 4))
        .pixels().height());
  }
}
