package io.resnetspark.job.it;

import io.resnetspark.job.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The integration tests' model and images: small, real, and the same on every run. */
final class TestInputs {
  /** ResNet-18 with a head of a few classes: the real network at its cheapest. */
  static final int CLASSES = 4;
  static final List<String> LABELS = List.of("class_0", "class_1", "class_2", "class_3");

  private TestInputs() {
  }

  /** A ResNet-18 SavedModel with random weights (seed 11), built once per JVM. */
  static Path model() {
    return TestData.model(CLASSES, 11);
  }

  /** {@code count} small decodable images (JPEG, PNG, BMP, GIF) in two sub-directories of {@code dir}. */
  static List<Path> goodImages(Path dir, int count, long seed) {
    return TestData.goodImages(dir, count, 96, seed);
  }

  /**
   * Files with image names that are not usable images, by file name, with the error code each row must get: an
   * empty file, text, and a JPEG cut in half (no oversized file: it would be uploaded to S3 in full).
   */
  static Map<String, String> badImages(Path dir) {
    return TestData.badImages(dir, false);
  }

  /** Every regular file under {@code dir}, sorted. */
  static List<Path> files(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
