package io.resnetspark.udf.testing;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelMetadata.WeightsInfo;
import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.model.SavedModelExport;
import io.resnetspark.model.io.Directories;
import io.resnetspark.model.weights.RandomWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Small real SavedModels for tests: resnet18 with ten named classes and a 64x64 crop (the network accepts any size
 * from 32, and a small crop keeps Spark tests fast). Built once per seed per test JVM.
 */
public final class TestModels {
  public static final List<String> LABELS = List.of("apple", "banana", "cherry", "date", "elderberry", "fig", "grape",
      "honeydew", "kiwi", "lemon");
  public static final int CROP = 64;
  public static final PreprocessSpec SPEC = new PreprocessSpec("test", 72, CROP, "bilinear", true,
      new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, "RGB", "NHWC");
  private static final Map<Long, Path> BUILT = new ConcurrentHashMap<>();
  private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      BUILT.values().forEach(dir -> Directories.deleteQuietly(dir.getParent()));
      COPIES.values().forEach(dir -> Directories.deleteQuietly(dir.getParent()));
    }));
  }

  private TestModels() {
  }

  /**
   * A copy of the seed-1 model with one extra asset, so it has a digest of its own (a model no executor has
   * loaded yet) without building another network.
   */
  public static Path distinct(String tag) {
    Path source = resnet18(1);
    return COPIES.computeIfAbsent(tag, k -> {
      try {
        Path dir = Files.createTempDirectory("resnet-spark-test-model").resolve("resnet18-" + tag);
        try (var files = Files.walk(source)) {
          for (Path f : files.toList()) {
            Files.copy(f, dir.resolve(source.relativize(f).toString()));
          }
        }
        Files.writeString(dir.resolve("assets").resolve("tag.txt"), tag);
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** A resnet18 SavedModel with random weights from {@code seed}; each seed gives a model of its own digest. */
  public static Path resnet18(long seed) {
    return BUILT.computeIfAbsent(seed, s -> {
      try {
        Path dir = Files.createTempDirectory("resnet-spark-test-model").resolve("resnet18-" + s);
        SavedModelExport.export(Architecture.RESNET18, RandomWeights.create(Architecture.RESNET18, LABELS.size(), s),
            WeightsInfo.random(s), LABELS, SPEC, dir, false);
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
