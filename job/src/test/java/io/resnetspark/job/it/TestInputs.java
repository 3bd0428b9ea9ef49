package io.resnetspark.job.it;

import io.resnetspark.job.SampleImages;
import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The integration tests' model and images: small, real, and the same on every run. */
final class TestInputs {
  /** ResNet-18 with a head of a few classes: the real network at its cheapest. */
  static final int CLASSES = 4;
  static final List<String> LABELS = List.of("class_0", "class_1", "class_2", "class_3");
  private static Path model;

  private TestInputs() {
  }

  /** A ResNet-18 SavedModel with random weights (seed 11), built once per JVM. */
  static synchronized Path model() {
    if (model == null) {
      try {
        Path dir = Files.createTempDirectory("resnet-spark-it-model-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
        Path out = dir.resolve("resnet18");
        ModelBuilder.buildRandom(Architecture.RESNET18, CLASSES, 11, out);
        model = out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return model;
  }

  /** {@code count} small decodable images (JPEG, PNG, BMP, GIF) in two sub-directories of {@code dir}. */
  static List<Path> goodImages(Path dir, int count, long seed) {
    try {
      return SampleImages.write(dir, count, 40, 96, seed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Files with image names that are not usable images, by file name, with the error code each row must get: an
   * empty file, text, and a JPEG cut in half.
   */
  static Map<String, String> badImages(Path dir) {
    try {
      Files.createDirectories(dir);
      Map<String, String> expected = new LinkedHashMap<>();
      Files.write(dir.resolve("empty.jpg"), new byte[0]);
      expected.put("empty.jpg", "EMPTY");
      Files.writeString(dir.resolve("notes.png"), "these are notes, not a picture\n", StandardCharsets.UTF_8);
      expected.put("notes.png", "UNSUPPORTED_FORMAT");
      Path whole = SampleImages.write(dir.resolve("whole"), 1, 64, 64, 99).get(0);
      byte[] jpeg = Files.readAllBytes(whole);
      deleteQuietly(dir.resolve("whole"));
      Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
      expected.put("truncated.jpg", "CORRUPT");
      return expected;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every regular file under {@code dir}, sorted. */
  static List<Path> files(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // A temporary file left behind changes no test's outcome.
    }
  }
}
