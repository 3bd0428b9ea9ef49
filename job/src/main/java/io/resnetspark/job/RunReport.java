package io.resnetspark.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.resnetspark.udf.runtime.ModelPlacement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a run did, written as {@code _run_report.json} next to the output and printed at the end. Counts add up:
 * {@code inputs_seen = skipped + rows_written} and {@code rows_written = labelled + errors}.
 *
 * <p>Stage times are summed over tasks (task-seconds), so {@code images_per_task_second} is what one task slot
 * (one core) achieves in that stage; {@code images_per_second} is the whole run's rate over its wall time. The
 * stages are {@code read+decode} (getting each image's bytes and decoding them into the model's input, on the
 * classifier's prefetch thread), {@code inference} (the model's batch calls) and {@code write} (encoding and writing
 * the rows). Read+decode overlaps inference one batch ahead, so stage times do not add up to the wall time.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunReport(
    @JsonProperty("run_id") String runId,
    @JsonProperty("status") String status,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt,
    @JsonProperty("wall_seconds") double wallSeconds,
    @JsonProperty("input") Input input,
    @JsonProperty("output") Output output,
    @JsonProperty("model") Model model,
    @JsonProperty("counts") Counts counts,
    @JsonProperty("error_rate") double errorRate,
    @JsonProperty("max_error_rate") double maxErrorRate,
    @JsonProperty("model_loads_per_executor") Map<String, Long> modelLoadsPerExecutor,
    @JsonProperty("executors") Map<String, Executor> executors,
    @JsonProperty("partitions") int partitions,
    @JsonProperty("driver_seconds") Map<String, Double> driverSeconds,
    @JsonProperty("throughput") Throughput throughput,
    @JsonProperty("label_histogram") Map<String, Long> labelHistogram,
    @JsonProperty("spark") SparkInfo spark) {

  public static final String STATUS_SUCCEEDED = "succeeded";
  public static final String STATUS_ERROR_RATE_EXCEEDED = "error_rate_exceeded";
  public static final String STATUS_NOTHING_TO_DO = "nothing_to_do";
  public static final String READ_DECODE = "read+decode";
  public static final String INFERENCE = "inference";
  public static final String WRITE = "write";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * What was read; {@code not_labelled} counts the files passed over by {@code --extensions}, by extension ("" for
   * names without one), most frequent first.
   */
  public record Input(
      @JsonProperty("paths") List<String> paths,
      @JsonProperty("format") String format,
      @JsonProperty("extensions") List<String> extensions,
      @JsonProperty("not_labelled") Map<String, Long> notLabelled) {
  }

  /** Where the rows went; {@code table} only for lake tables (iceberg, delta). */
  public record Output(
      @JsonProperty("path") String path,
      @JsonProperty("format") String format,
      @JsonProperty("mode") String mode,
      @JsonProperty("table") Table table) {
  }

  /**
   * A lake table's commit: its snapshot (Iceberg snapshot id, Delta version; null when the run committed nothing),
   * the rows the run inserted, replaced and deleted and the rows it left alone, and a query reading the table as of
   * the commit.
   */
  public record Table(
      @JsonProperty("name") String name,
      @JsonProperty("snapshot") String snapshot,
      @JsonProperty("committed_at") String committedAt,
      @JsonProperty("rows_inserted") long rowsInserted,
      @JsonProperty("rows_updated") long rowsUpdated,
      @JsonProperty("rows_deleted") long rowsDeleted,
      @JsonProperty("rows_unchanged") long rowsUnchanged,
      @JsonProperty("query") String query) {
  }

  public record Model(
      @JsonProperty("path") String path,
      @JsonProperty("architecture") String architecture,
      @JsonProperty("num_classes") int numClasses,
      @JsonProperty("sha256") String sha256,
      @JsonProperty("weights") String weights,
      @JsonProperty("random_weights") boolean randomWeights,
      @JsonProperty("built_for_this_run") boolean builtForThisRun) {
  }

  public record Counts(
      @JsonProperty("inputs_seen") long inputsSeen,
      @JsonProperty("skipped") long skipped,
      @JsonProperty("rows_written") long rowsWritten,
      @JsonProperty("labelled") long labelled,
      @JsonProperty("errors") long errors,
      @JsonProperty("errors_by_code") Map<String, Long> errorsByCode) {
  }

  public record Stage(
      @JsonProperty("task_seconds") double taskSeconds,
      @JsonProperty("images_per_task_second") Double imagesPerTaskSecond) {

    static Stage of(long nanos, long images) {
      double seconds = nanos / 1e9;
      return new Stage(round(seconds), seconds > 0 ? round(images / seconds) : null);
    }
  }

  /**
   * The run's rate over its wall time, the rate of each stage per task-second ({@code read+decode},
   * {@code inference}, {@code write}), and, for binaryFile and manifest input, the time tasks waited for file reads
   * (overlapped): a part of read+decode.
   */
  public record Throughput(
      @JsonProperty("images_per_second") double imagesPerSecond,
      @JsonProperty("stages") Map<String, Stage> stages,
      @JsonProperty("file_read") Stage fileRead,
      @JsonProperty("decode_mode") String decodeMode,
      @JsonProperty("bottleneck") String bottleneck) {

    /** The stage the bottleneck line names (read+decode or inference), or null when neither is clearly slower. */
    String bottleneckStage() {
      if (bottleneck == null) {
        return null;
      }
      return bottleneck.startsWith("decode-bound") ? READ_DECODE : INFERENCE;
    }
  }

  /** A stage this many times slower per task-second than the other bounds the run. */
  static final double BOTTLENECK_FACTOR = 1.5;

  /**
   * "decode-bound: ..." or "inference-bound: ..." when one of read+decode and inference runs at most
   * 1/{@link #BOTTLENECK_FACTOR} of the other's images per task-second, with what to try; null otherwise.
   */
  static String bottleneck(Map<String, Stage> stages, String decodeMode) {
    Double decode = stages.get(READ_DECODE) == null ? null : stages.get(READ_DECODE).imagesPerTaskSecond();
    Double inference = stages.get(INFERENCE) == null ? null : stages.get(INFERENCE).imagesPerTaskSecond();
    if (decode == null || inference == null) {
      return null;
    }
    String rates = String.format(Locale.ROOT, "%.1f img/s per task-second decoding vs %.1f in inference", decode,
        inference);
    if (decode * BOTTLENECK_FACTOR <= inference) {
      return "decode-bound: " + rates + ("exact".equals(decodeMode)
          ? "; try --decode reduced (JPEG DCT-domain downscaling)" : "; more cores per executor decode more");
    }
    if (inference * BOTTLENECK_FACTOR <= decode) {
      return "inference-bound: " + rates + "; a GPU (or more executors) would speed it up";
    }
    return null;
  }

  /**
   * Where one executor JVM (keyed like {@code model_loads_per_executor}: {@code executorId/pid@host}) runs the model:
   * the GPU address Spark assigned it (null without GPU scheduling), the devices TensorFlow placed the network on, and
   * why an assigned GPU is not used (null when none was assigned or it is used).
   */
  public record Executor(
      @JsonProperty("model_loads") long modelLoads,
      @JsonProperty("gpu_address") String gpuAddress,
      @JsonProperty("devices") List<String> devices,
      @JsonProperty("cpu_fallback") String cpuFallback) {

    /** The executors that loaded the model, from the model's accumulators. */
    static Map<String, Executor> of(Map<String, Long> loads, Map<String, ModelPlacement> placements) {
      Map<String, Executor> executors = new TreeMap<>();
      placements.forEach((id, p) -> executors.put(id,
          new Executor(loads.getOrDefault(id, 0L), p.gpu(), p.devices(), p.cpuFallback())));
      return executors;
    }

    String describe() {
      String where = String.join(",", devices);
      if (gpuAddress == null) {
        return where;
      }
      return where + " (GPU " + gpuAddress + " assigned" + (cpuFallback == null ? ")" : "; no CUDA device: CPU fallback)");
    }
  }

  public record SparkInfo(
      @JsonProperty("version") String version,
      @JsonProperty("master") String master,
      @JsonProperty("application_id") String applicationId,
      @JsonProperty("default_parallelism") int defaultParallelism) {
  }

  /** Stage timings from the run's accumulators; file read time only exists for binaryFile input. */
  static Throughput throughput(long images, double wallSeconds, StageNanos nanos, boolean bytesReadByJob) {
    return throughput(images, wallSeconds, nanos, bytesReadByJob, "exact");
  }

  /** The same, for a run that decoded JPEGs in {@code decodeMode} (exact or reduced). */
  static Throughput throughput(long images, double wallSeconds, StageNanos nanos, boolean bytesReadByJob,
                               String decodeMode) {
    Map<String, Stage> stages = new LinkedHashMap<>();
    stages.put(READ_DECODE, Stage.of(nanos.readAndDecode(), images));
    stages.put(INFERENCE, Stage.of(nanos.inference(), images));
    stages.put(WRITE, Stage.of(nanos.write(), images));
    return new Throughput(wallSeconds > 0 ? round(images / wallSeconds) : 0, stages,
        bytesReadByJob ? Stage.of(nanos.fileRead(), images) : null, decodeMode, bottleneck(stages, decodeMode));
  }

  /** Task-nanoseconds per stage, summed over a run's tasks. */
  record StageNanos(long fileRead, long readAndDecode, long inference, long write) {
    static StageNanos of(RunMetrics metrics) {
      return new StageNanos(metrics.readNanos(), metrics.readAndDecodeNanos(), metrics.inferenceNanos(),
          metrics.writeNanos());
    }
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static RunReport fromJson(String json) throws IOException {
    return MAPPER.readValue(json, RunReport.class);
  }

  /** The human-readable summary printed at the end of a run. */
  public String summary(int histogramLines) {
    StringBuilder s = new StringBuilder();
    line(s, "resnet-spark run %s: %s in %.1f s", runId, status.replace('_', ' '), wallSeconds);
    line(s, "  model    %s, %d classes, sha256 %s", model.architecture(), model.numClasses(),
        model.sha256().substring(0, Math.min(16, model.sha256().length())));
    line(s, "  weights  %s", model.weights());
    if (model.randomWeights()) {
      line(s, "           RANDOM WEIGHTS: the labels below are meaningless. Build with real weights:");
      line(s, "           --arch %s --weights DEFAULT (torchvision's, downloaded once), or --weights FILE",
          model.architecture());
    }
    line(s, "  input    %s (%s%s)", String.join(", ", input.paths()), input.format(),
        input.extensions() == null ? "" : ": " + String.join(",", input.extensions()));
    if (input.notLabelled() != null && !input.notLabelled().isEmpty()) {
      line(s, "  not labelled: %s (see --extensions)", input.notLabelled().entrySet().stream()
          .map(e -> String.format(Locale.ROOT, "%,d %s", e.getValue(), e.getKey().isEmpty() ? "without extension"
              : "." + e.getKey()))
          .collect(Collectors.joining(", ")));
    }
    line(s, "  output   %s (%s, mode %s)", output.path(), output.format(), output.mode());
    Table table = output.table();
    if (table != null) {
      line(s, "  table    %s %s: %,d rows inserted, %,d updated, %,d deleted, %,d unchanged", table.name(),
          table.snapshot() == null ? "(nothing committed)" : (output.format().equals("delta") ? "version "
              : "snapshot ") + table.snapshot(), table.rowsInserted(), table.rowsUpdated(), table.rowsDeleted(),
          table.rowsUnchanged());
      if (table.query() != null) {
        line(s, "  read it  %s", table.query());
      }
    }
    line(s, "  files    %,d seen, %,d skipped (already labelled), %,d written: %,d labelled, %,d errors%s",
        counts.inputsSeen(), counts.skipped(), counts.rowsWritten(), counts.labelled(), counts.errors(),
        counts.errorsByCode().isEmpty() ? "" : " " + counts.errorsByCode().entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ", "(", ")")));
    if (counts.rowsWritten() > 0) {
      line(s, "  errors   %.1f%% of rows (allowed: %.1f%%)", 100 * errorRate, 100 * maxErrorRate);
      List<String> stageText = new ArrayList<>();
      throughput.stages().forEach((name, st) -> stageText.add(name + " " + rate(st)
          + (name.equals(READ_DECODE) && throughput.fileRead() != null
              ? " (file reads alone " + rate(throughput.fileRead()) + ")" : "")));
      line(s, "  speed    %.2f images/s overall, %d partitions; images per task-second: %s",
          throughput.imagesPerSecond(), partitions, String.join(", ", stageText));
      line(s, "  decode   %s%s", throughput.decodeMode() == null ? "exact" : throughput.decodeMode(),
          throughput.bottleneck() == null ? "" : "; " + throughput.bottleneck());
      line(s, "  loads    %s", modelLoadsPerExecutor.isEmpty() ? "none this run (model already loaded in every "
          + "JVM used)" : modelLoadsPerExecutor.entrySet().stream().map(e -> e.getValue() + "x on " + e.getKey())
          .collect(Collectors.joining(", ")));
      if (executors != null && !executors.isEmpty()) {
        line(s, "  devices  %s", executors.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().describe())
            .collect(Collectors.joining(", ")));
      }
    }
    if (!labelHistogram.isEmpty()) {
      line(s, "  labels   %s%s", labelHistogram.entrySet().stream().limit(histogramLines)
              .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")),
          labelHistogram.size() > histogramLines ? ", ... (" + labelHistogram.size() + " labels)" : "");
    }
    return s.toString();
  }

  private static String rate(Stage stage) {
    return String.format(Locale.ROOT, "%.1f", stage.imagesPerTaskSecond() == null ? 0.0 : stage.imagesPerTaskSecond());
  }

  private static void line(StringBuilder s, String format, Object... args) {
    s.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }
}
