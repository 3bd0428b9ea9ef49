package io.resnetspark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends one JSON object per measurement to a results file (JSON lines), which scripts/bench/report.py turns into
 * docs/BENCHMARKS.md. Raw samples are written, not summaries, so the report decides how to aggregate.
 */
final class BenchRecords {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Path file;

  BenchRecords(Path file) {
    this.file = file;
  }

  /** A record with the fields every measurement carries: its kind and the process-level TF switches. */
  static Map<String, Object> record(String kind) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("kind", kind);
    r.put("onednn", System.getenv().getOrDefault("TF_ENABLE_ONEDNN_OPTS", "default"));
    return r;
  }

  synchronized void write(Map<String, Object> record) {
    try {
      String line = MAPPER.writeValueAsString(record) + "\n";
      Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      System.out.print(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
