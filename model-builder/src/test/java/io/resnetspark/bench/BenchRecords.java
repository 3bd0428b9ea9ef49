package io.resnetspark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
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

  /** TF's process-wide switches, read from the environment once, so they can only be compared across JVMs. */
  private static final List<String> TF_SWITCHES = List.of("TF_ENABLE_ONEDNN_OPTS", "TF_CPU_ALLOCATOR_USE_BFC");

  /** A record with the fields every measurement carries: its kind and the process-level TF switches that were set. */
  static Map<String, Object> record(String kind) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("kind", kind);
    r.put("onednn", System.getenv().getOrDefault("TF_ENABLE_ONEDNN_OPTS", "default"));
    StringBuilder env = new StringBuilder();
    for (String name : TF_SWITCHES) {
      String value = System.getenv(name);
      if (value != null) {
        env.append(env.length() == 0 ? "" : " ").append(name).append('=').append(value);
      }
    }
    r.put("env", env.length() == 0 ? "(none)" : env.toString());
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
