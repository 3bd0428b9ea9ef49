package io.resnetspark.udf.runtime;

import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.udf.batch.BatchPredictor;
import io.resnetspark.udf.testing.TestModels;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorModelTest {
  private static final int BATCH = 32;
  @TempDir
  Path tmp;

  /** Loads {@code dir}; closing the model deletes {@code owned} (null: nothing). */
  private ExecutorModel load(Path dir, Path owned) throws IOException {
    return new ExecutorModel(SavedResNet.load(dir, SavedResNet.Options.cpu(1, 2)), "test", owned,
        SavedResNet.Options.cpu(1, 2));
  }

  private static FloatBuffer randomBatch(ExecutorModel model, int count, long seed) {
    Random random = new Random(seed);
    float[] pixels = new float[count * model.imageSize() * model.imageSize() * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextGaussian();
    }
    return FloatBuffer.wrap(pixels);
  }

  /** Resident set size of this process, from /proc/self/status (kB). */
  private static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  @Test
  void repeatedBatchesDoNotGrowNativeMemory() throws IOException {
    try (var closer = new AutoCloseable() {
      final ExecutorModel model = load(TestModels.resnet18(1), null);

      @Override
      public void close() {
        model.close(Duration.ofSeconds(5));
      }
    }) {
      BatchPredictor predictor = new BatchPredictor(closer.model, 5, true);
      FloatBuffer batch = randomBatch(closer.model, BATCH, 1);
      for (int i = 0; i < 10; i++) {
        predictor.predict(batch, BATCH);
      }
      System.gc();
      long before = rssKb();
      for (int i = 0; i < 20; i++) {
        assertEquals(BATCH, predictor.predict(batch, BATCH).length);
      }
      System.gc();
      long after = rssKb();
      double growth = (after - before) / (double) before;
      long inputTensorsKb = 20L * batch.capacity() * Float.BYTES / 1024;
      System.out.printf("RSS before %d kB, after 20 batches of %d: %d kB (%+.2f%%); their input tensors: %d kB%n",
          before, BATCH, after, 100 * growth, inputTensorsKb);
      assertTrue(growth < 0.03, "RSS grew from " + before + " kB to " + after + " kB");
      assertTrue(after - before < inputTensorsKb / 2,
          "RSS grew by " + (after - before) + " kB, as if input tensors of " + inputTensorsKb + " kB were kept");
    }
  }

  @Test
  void closingFreesTheSessionAndTheUnpackedFilesAndLaterRunsFailClearly() throws IOException {
    Path copy = Files.createDirectories(tmp.resolve("model"));
    Path source = TestModels.resnet18(1);
    try (var files = Files.walk(source)) {
      for (Path f : files.toList()) {
        if (!f.equals(source)) {
          Files.copy(f, copy.resolve(source.relativize(f).toString()));
        }
      }
    }
    ExecutorModel model = load(copy, copy);
    assertEquals(TestModels.LABELS, model.labels());
    assertEquals(TestModels.CROP, model.imageSize());

    assertTrue(model.close(Duration.ofSeconds(1)));
    assertFalse(Files.exists(copy));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> model.predict(FloatBuffer.allocate(TestModels.CROP * TestModels.CROP * 3), 1, false));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertTrue(model.close(Duration.ofSeconds(1)), "closing twice is harmless");
  }
}
