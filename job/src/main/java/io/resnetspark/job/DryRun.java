package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * What a run would do ({@code --dry-run}): how many inputs it sees, how many the output already has (incremental),
 * how many it would label, their bytes, per file name extension, and the partitions it would use. Counted with
 * distributed aggregations, so the driver receives one row per extension, not the inputs. Printed as text and then,
 * as the last line of standard output, as one JSON object in the run report's vocabulary ({@code input},
 * {@code output}, {@code counts}, {@code partitions}, {@code driver_seconds}) for a scheduler to act on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DryRun(
    @JsonProperty("run_id") String runId,
    @JsonProperty("status") String status,
    @JsonProperty("input") RunReport.Input input,
    @JsonProperty("output") RunReport.Output output,
    @JsonProperty("output_state") String outputState,
    @JsonProperty("model") Model model,
    @JsonProperty("counts") Counts counts,
    @JsonProperty("by_extension") Map<String, Counts> byExtension,
    @JsonProperty("partitions") int partitions,
    @JsonProperty("driver_seconds") Map<String, Double> driverSeconds) {

  public static final String STATUS = "dry_run";
  /** The extension key of files whose name has none. */
  static final String NO_EXTENSION = "(none)";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The model the run would use; {@code sha256} only when the incremental filter needed it. */
  public record Model(
      @JsonProperty("path") String path,
      @JsonProperty("architecture") String architecture,
      @JsonProperty("sha256") String sha256) {
  }

  /**
   * {@code inputs_seen = skipped + to_label}; bytes are the sizes the listing or manifest gives (null sizes count
   * as 0).
   */
  public record Counts(
      @JsonProperty("inputs_seen") long inputsSeen,
      @JsonProperty("skipped") long skipped,
      @JsonProperty("to_label") long toLabel,
      @JsonProperty("bytes_seen") long bytesSeen,
      @JsonProperty("bytes_to_label") long bytesToLabel) {

    Counts plus(Counts o) {
      return new Counts(inputsSeen + o.inputsSeen, skipped + o.skipped, toLabel + o.toLabel, bytesSeen + o.bytesSeen,
          bytesToLabel + o.bytesToLabel);
    }
  }

  /**
   * Counts {@code seen} and {@code todo} (rows with path and length) per extension.
   *
   * @return the totals and the per-extension counts
   */
  static Map<String, Counts> countByExtension(Dataset<Row> seen, Dataset<Row> todo) {
    Map<String, Counts> byExtension = new TreeMap<>();
    for (Row r : perExtension(seen)) {
      byExtension.merge(r.getString(0), new Counts(r.getLong(1), r.getLong(1), 0, r.getLong(2), 0), Counts::plus);
    }
    for (Row r : perExtension(todo)) {
      byExtension.merge(r.getString(0), new Counts(0, -r.getLong(1), r.getLong(1), 0, r.getLong(2)), Counts::plus);
    }
    return byExtension;
  }

  private static List<Row> perExtension(Dataset<Row> rows) {
    Column extension = lower(regexp_extract(col(OutputTable.PATH), "\\.([^./]*)$", 1));
    return rows.select(extension.as("extension"), col(OutputTable.LENGTH))
        .groupBy("extension")
        .agg(count(lit(1)), sum(col(OutputTable.LENGTH)))
        .na().fill(0L)
        .collectAsList()
        .stream()
        .map(r -> RowFactory.create(r.getString(0).isEmpty() ? NO_EXTENSION : r.getString(0),
            r.getLong(1), r.isNullAt(2) ? 0L : r.getLong(2)))
        .toList();
  }

  static Counts total(Map<String, Counts> byExtension) {
    return byExtension.values().stream().reduce(new Counts(0, 0, 0, 0, 0), Counts::plus);
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text summary, then the JSON line. */
  void print(PrintStream out) {
    out.printf(Locale.ROOT, "dry run %s: nothing was loaded or written%n", runId);
    out.printf(Locale.ROOT, "  input     %s (%s)%n", String.join(", ", input.paths()), input.format());
    out.printf(Locale.ROOT, "  output    %s (%s, mode %s)%n", output.path(), outputState, output.mode());
    out.printf(Locale.ROOT, "  seen      %d files, %s%n", counts.inputsSeen(), bytes(counts.bytesSeen()));
    out.printf(Locale.ROOT, "  labelled  %d already%n", counts.skipped());
    out.printf(Locale.ROOT, "  to label  %d files, %s, in %d partitions%n", counts.toLabel(),
        bytes(counts.bytesToLabel()), partitions);
    byExtension.forEach((extension, c) -> out.printf(Locale.ROOT, "    %-8s seen %d, to label %d (%s)%n",
        extension, c.inputsSeen(), c.toLabel(), bytes(c.bytesToLabel())));
    out.println(toJson());
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format(Locale.ROOT, "%.1f %sB", bytes / Math.pow(1024, unit), " KMGTPE".charAt(unit));
  }
}
