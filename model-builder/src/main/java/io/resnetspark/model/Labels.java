package io.resnetspark.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.resnetspark.model.weights.ImageNetLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Class names, one per line, index = line number. */
public final class Labels {

  private Labels() {
  }

  /** ImageNet names for a 1000-class model; {@code class_0 .. class_N-1} for any other head. */
  public static List<String> defaults(int numClasses) {
    if (numClasses == ImageNetLabels.COUNT) {
      return ImageNetLabels.load();
    }
    return IntStream.range(0, numClasses).mapToObj(i -> "class_" + i).toList();
  }

  /** Reads a labels file and checks it has exactly one line per class. */
  public static List<String> read(Path file, int numClasses) throws IOException {
    List<String> labels;
    try (InputStream in = Files.newInputStream(file)) {
      labels = parse(in);
    }
    if (labels.size() != numClasses) {
      throw new IllegalArgumentException("labels file " + file + " has " + labels.size()
          + " lines but the model has " + numClasses + " classes; give one label per line, one line per class");
    }
    return labels;
  }

  /** Labels as the builder writes them: one per line, stripped, trailing blank lines ignored. */
  public static List<String> parse(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line.strip());
      }
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }
}
