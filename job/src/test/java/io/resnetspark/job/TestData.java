package io.resnetspark.job;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder;
import io.resnetspark.udf.image.ImageLimits;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * A small model and image sets with known good and bad files, shared by the job's end-to-end tests and (through
 * {@code it.TestInputs}) its integration tests.
 */
public final class TestData {
  /** ResNet-18 with few classes: the smallest model that is still the real thing. */
  static final int CLASSES = 10;
  private static final Map<String, Path> MODELS = new HashMap<>();

  private TestData() {
  }

  /** A ResNet-18 SavedModel with random weights, built once per JVM. */
  static Path model() {
    return model(CLASSES, 7);
  }

  /** A ResNet-18 SavedModel with {@code classes} classes and random weights from {@code seed}, built once per JVM. */
  public static synchronized Path model(int classes, long seed) {
    Path model = MODELS.get(classes + "/" + seed);
    if (model == null) {
      try {
        Path dir = Files.createTempDirectory("resnet-spark-job-test-model-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
        model = dir.resolve("resnet18");
        ModelBuilder.buildRandom(Architecture.RESNET18, classes, seed, model);
        MODELS.put(classes + "/" + seed, model);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return model;
  }

  /** {@code count} small decodable images (JPEG, PNG, BMP, GIF) under {@code dir}, at most 72 pixels a side. */
  static List<Path> goodImages(Path dir, int count, long seed) {
    return goodImages(dir, count, 72, seed);
  }

  /** {@code count} small decodable images (JPEG, PNG, BMP, GIF) under {@code dir}, 40 to {@code maxSide} a side. */
  public static List<Path> goodImages(Path dir, int count, int maxSide, long seed) {
    try {
      return SampleImages.write(dir, count, 40, maxSide, seed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One JPEG the size of a phone's photograph (4032x3024, 12 MP; quality 90), drawn as {@link SampleImages} draws,
   * with per-pixel noise like a sensor's so that it compresses, and costs to decode, as a photograph does.
   */
  public static Path photo(Path file, long seed) {
    Random random = new Random(seed);
    BufferedImage image = SampleImages.draw(4032, 3024, random);
    int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < pixels.length; i++) {
      int noise = random.nextInt(17) - 8;
      int p = pixels[i];
      pixels[i] = clamp((p >> 16 & 0xFF) + noise) << 16 | clamp((p >> 8 & 0xFF) + noise) << 8 | clamp((p & 0xFF) + noise);
    }
    try {
      Files.createDirectories(file.getParent());
      ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.9f);
      try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(image, null, null), param);
      } finally {
        writer.dispose();
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int clamp(int level) {
    return Math.max(0, Math.min(255, level));
  }

  /**
   * Files with image extensions that are not usable images, by file name, with the error code each must get: an
   * empty file, text, a JPEG cut short, and a file over the size limit (sparse: it costs no disk).
   */
  static Map<String, String> badImages(Path dir) {
    return badImages(dir, true);
  }

  /**
   * As {@link #badImages(Path)}; without the file over the size limit when {@code oversized} is false (a sparse
   * file is free on local disk, not once uploaded to an object store).
   */
  public static Map<String, String> badImages(Path dir, boolean oversized) {
    try {
      Map<String, String> expected = new LinkedHashMap<>();
      SampleImages.writeBrokenFiles(dir).forEach((name, code) -> expected.put(name, code.name()));
      if (oversized) {
        try (RandomAccessFile huge = new RandomAccessFile(dir.resolve("huge.jpg").toFile(), "rw")) {
          huge.setLength(ImageLimits.DEFAULT_MAX_BYTES + 1);
        }
        expected.put("huge.jpg", "TOO_LARGE");
      }
      return expected;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // A temporary file left behind does not change any test's outcome.
    }
  }
}
