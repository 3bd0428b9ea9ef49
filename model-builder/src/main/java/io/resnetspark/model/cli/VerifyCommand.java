package io.resnetspark.model.cli;

import io.resnetspark.model.ModelMetadata;
import io.resnetspark.model.runtime.SavedResNet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Loads a SavedModel, prints its signatures and metadata, runs a probe batch and reports img/s.")
final class VerifyCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "A SavedModel directory written by 'build'.")
  Path dir;

  @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Probe batch size "
      + "(default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Timed runs after one warm-up "
      + "(default ${DEFAULT-VALUE}).")
  int runs;

  @Override
  public Integer call() throws IOException {
    Validation.positive(spec, "--batch-size", batchSize);
    Validation.positive(spec, "--runs", runs);
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString());
    }
    PrintWriter o = spec.commandLine().getOut();
    try (SavedResNet model = SavedResNet.load(dir)) {
      ModelMetadata m = model.metadata();
      o.println("signatures");
      model.signatures().forEach((key, io) -> {
        o.printf("  %s%n", key);
        io.forEach((direction, specs) -> specs.forEach((name, s) -> o.printf("    %-7s %-13s %-6s %s%n", direction,
            name, s.dtype(), Arrays.toString(s.shape()))));
      });
      o.println("metadata");
      o.println(m.toJson().indent(2).stripTrailing());
      int size = m.preprocessing().cropSize();
      FloatBuffer probe = probeBatch(batchSize, size);
      SavedResNet.Classification warm = model.classify(probe, batchSize, size, size);
      requireFinite(warm.probabilities());
      long start = System.nanoTime();
      for (int i = 0; i < runs; i++) {
        model.classify(probe, batchSize, size, size);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      int top = argmax(warm.probabilities(), warm.classes());
      o.printf("probe: %d random images of %dx%d, first predicted %s (%.4f)%n", batchSize, size, size,
          model.labels().get(top), warm.probability(0, top));
      o.printf("throughput: %.1f img/s (batch %d, %d runs)%n", batchSize * runs / seconds, batchSize, runs);
    }
    return 0;
  }

  private static FloatBuffer probeBatch(int batch, int size) {
    SplittableRandom random = new SplittableRandom(0);
    FloatBuffer b = FloatBuffer.allocate(batch * size * size * 3);
    for (int i = 0; i < b.capacity(); i++) {
      b.put(i, (float) random.nextDouble(-2, 2));
    }
    return b;
  }

  private static void requireFinite(float[] values) throws IOException {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        throw new IOException("the model produced non-finite probabilities; its weights are broken");
      }
    }
  }

  private static int argmax(float[] probabilities, int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (probabilities[c] > probabilities[best]) {
        best = c;
      }
    }
    return best;
  }
}
