package io.resnetspark.udf.image;

import com.twelvemonkeys.imageio.plugins.bmp.BMPImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import io.resnetspark.udf.errors.ErrorCode;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Predicate;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * The encoded formats the decoder accepts, recognised by their signature bytes. An explicit allow-list (rather than
 * whatever ImageIO plugins happen to be on the class path) keeps the set of parsers that see untrusted bytes small
 * and makes {@link ErrorCode#UNSUPPORTED_FORMAT} predictable.
 *
 * <p>Each format names the ImageIO reader used for it. Readers are taken from providers registered here explicitly,
 * because ImageIO's automatic plugin scan depends on the thread's context class loader at the moment ImageIO is
 * first used, which on a Spark executor may not see the application's jars.
 */
enum ImageFormat {
  JPEG(new JPEGImageReaderSpi()),
  PNG("com.sun.imageio.plugins.png.PNGImageReaderSpi", "png"),
  GIF("com.sun.imageio.plugins.gif.GIFImageReaderSpi", "gif"),
  BMP(new BMPImageReaderSpi()),
  WEBP(new WebPImageReaderSpi()),
  TIFF(new TIFFImageReaderSpi());

  private final ImageReaderSpi provider;

  ImageFormat(ImageReaderSpi twelveMonkeysProvider) {
    this.provider = registered(twelveMonkeysProvider);
  }

  ImageFormat(String jdkProviderClass, String formatName) {
    this.provider = jdkProvider(jdkProviderClass, formatName);
  }

  ImageReaderSpi provider() {
    return provider;
  }

  /** The format whose signature starts {@code data}, if any. */
  static Optional<ImageFormat> sniff(byte[] data) {
    if (startsWith(data, 0, 0xFF, 0xD8, 0xFF)) {
      return Optional.of(JPEG);
    }
    if (startsWith(data, 0, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n')) {
      return Optional.of(PNG);
    }
    if (startsWith(data, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(data, 0, 'G', 'I', 'F', '8', '9', 'a')) {
      return Optional.of(GIF);
    }
    if (startsWith(data, 0, 'R', 'I', 'F', 'F') && startsWith(data, 8, 'W', 'E', 'B', 'P')) {
      return Optional.of(WEBP);
    }
    if (startsWith(data, 0, 'I', 'I', 42, 0) || startsWith(data, 0, 'M', 'M', 0, 42)
        || startsWith(data, 0, 'I', 'I', 43, 0) || startsWith(data, 0, 'M', 'M', 0, 43)) {
      return Optional.of(TIFF);
    }
    // "BM" alone is too weak a signature (text can start with it): also require a known DIB header size.
    if (startsWith(data, 0, 'B', 'M') && data.length >= 18) {
      int dibHeaderSize = (data[14] & 0xFF) | (data[15] & 0xFF) << 8 | (data[16] & 0xFF) << 16 | (data[17] & 0xFF) << 24;
      if (dibHeaderSize == 12 || dibHeaderSize == 16 || dibHeaderSize == 40 || dibHeaderSize == 52
          || dibHeaderSize == 56 || dibHeaderSize == 64 || dibHeaderSize == 108 || dibHeaderSize == 124) {
        return Optional.of(BMP);
      }
    }
    return Optional.empty();
  }

  /** The first bytes in hex, for messages about unrecognised input. */
  static String describeStart(byte[] data) {
    int n = Math.min(data.length, 8);
    return HexFormat.ofDelimiter(" ").formatHex(data, 0, n) + (data.length > n ? " ..." : "");
  }

  private static boolean startsWith(byte[] data, int offset, int... signature) {
    if (data.length < offset + signature.length) {
      return false;
    }
    for (int i = 0; i < signature.length; i++) {
      if ((data[offset + i] & 0xFF) != signature[i]) {
        return false;
      }
    }
    return true;
  }

  /** Registration runs the provider's onRegistration, which is where TwelveMonkeys' JPEG reader finds its JDK delegate. */
  private static ImageReaderSpi registered(ImageReaderSpi provider) {
    IIORegistry registry = IIORegistry.getDefaultInstance();
    synchronized (registry) {
      ImageReaderSpi existing = registry.getServiceProviderByClass(provider.getClass());
      if (existing != null) {
        return existing;
      }
      registry.registerServiceProvider(provider, ImageReaderSpi.class);
      return provider;
    }
  }

  private static ImageReaderSpi jdkProvider(String className, String formatName) {
    IIORegistry registry = IIORegistry.getDefaultInstance();
    Predicate<ImageReaderSpi> byClass = spi -> spi.getClass().getName().equals(className);
    return firstOf(registry, byClass)
        .or(() -> firstOf(registry, spi -> Arrays.asList(spi.getFormatNames()).contains(formatName)))
        .orElseThrow(() -> new IllegalStateException("no ImageIO reader for " + formatName + " in this JVM"));
  }

  private static Optional<ImageReaderSpi> firstOf(IIORegistry registry, Predicate<ImageReaderSpi> test) {
    var it = registry.getServiceProviders(ImageReaderSpi.class, p -> test.test((ImageReaderSpi) p), true);
    return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
  }
}
