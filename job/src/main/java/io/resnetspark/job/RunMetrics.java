package io.resnetspark.job;

import io.resnetspark.udf.StageTimings;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * What the tasks of one run measure, as named accumulators (named so that Spark reports their values per task to
 * listeners, which is how {@link ProgressReporter} follows a run). The counts are updated only in the stage that
 * writes the output, whose successful tasks Spark counts exactly once; {@link #labelled} is for progress only, as it
 * is booked in the labelling stage, which may lie before a shuffle (the write sized to its files) and run again.
 *
 * <p>The three stages of the report are read+decode and inference (booked by the classifier's tasks, see
 * {@link StageTimings}) and write (booked by {@link OutputMeter}); file reads alone are a part of read+decode.
 */
public final class RunMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Rows handed to the writer so far. */
  final LongAccumulator rows;
  /** Rows out of the classifier so far: what the progress lines follow while the writer may still wait. */
  final LongAccumulator labelled;
  /**
   * Nanoseconds tasks waited for file bytes, reads being overlapped (binaryFile and manifest input; other inputs
   * read in Spark's scan).
   */
  final LongAccumulator readNanos;
  /** The classifier's read+decode and inference nanoseconds. */
  final StageTimings stages;
  /** Nanoseconds the writer waited for rows: reading, decoding and inference, everything before the write. */
  final LongAccumulator upstreamNanos;
  /** Nanoseconds from a task's first row request to its end, minus the wait for rows: encoding and writing. */
  final LongAccumulator writeNanos;
  /** Rows per top-1 label, for rows without an error. */
  final CountsAccumulator labels;
  /** Rows per error code. */
  final CountsAccumulator errors;

  private RunMetrics(SparkContext sc, String runId) {
    String prefix = "resnet-spark " + runId + " ";
    rows = sc.longAccumulator(prefix + "rows");
    labelled = sc.longAccumulator(prefix + "rows labelled");
    readNanos = sc.longAccumulator(prefix + "read ns");
    stages = StageTimings.register(sc, prefix.strip());
    upstreamNanos = sc.longAccumulator(prefix + "upstream ns");
    writeNanos = sc.longAccumulator(prefix + "write ns");
    labels = new CountsAccumulator();
    errors = new CountsAccumulator();
    sc.register(labels, prefix + "labels");
    sc.register(errors, prefix + "errors");
  }

  public static RunMetrics register(SparkContext sc, String runId) {
    return new RunMetrics(sc, runId);
  }

  /** The accumulator of rows written, whose id a {@link ProgressReporter} can follow. */
  public long rowsAccumulatorId() {
    return rows.id();
  }

  /** The accumulator id that the job's {@link ProgressReporter} follows: rows out of the classifier. */
  public long labelledAccumulatorId() {
    return labelled.id();
  }

  public long rowsWritten() {
    return rows.value();
  }

  public long errorCount() {
    return errors.value().values().stream().mapToLong(Long::longValue).sum();
  }

  public Map<String, Long> labelCounts() {
    return new TreeMap<>(labels.value());
  }

  public Map<String, Long> errorCounts() {
    return new TreeMap<>(errors.value());
  }

  public long readNanos() {
    return readNanos.value();
  }

  public long readAndDecodeNanos() {
    return stages.readAndDecodeNanos();
  }

  public long inferenceNanos() {
    return stages.inferenceNanos();
  }

  public long upstreamNanos() {
    return upstreamNanos.value();
  }

  public long writeNanos() {
    return writeNanos.value();
  }
}
