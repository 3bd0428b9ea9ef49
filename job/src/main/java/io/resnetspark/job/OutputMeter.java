package io.resnetspark.job;

import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Sits between the labelled rows and the writer, passing rows through unchanged. It counts rows, labels and error
 * codes, and splits each task's time in two: the time spent inside the upstream iterator (waiting for rows: read,
 * decode, inference) and the rest of the task after the first request (the writer's encoding, file output and task
 * commit), measured until the task completes.
 */
final class OutputMeter implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private final RunMetrics metrics;

  OutputMeter(RunMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> upstream) {
    Meter meter = new Meter(upstream, metrics);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> meter.finish());
    }
    return meter;
  }

  /** The per-task state; also usable without a task (tests call {@link #finish()} themselves). */
  static final class Meter implements Iterator<Row> {
    private final Iterator<Row> upstream;
    private final RunMetrics metrics;
    private final int labelField;
    private final int errorField;
    private long firstRequest = -1;
    private long upstreamNanos;
    private boolean finished;

    Meter(Iterator<Row> upstream, RunMetrics metrics) {
      this.upstream = upstream;
      this.metrics = metrics;
      this.labelField = OutputTable.SCHEMA.fieldIndex(OutputTable.LABEL);
      this.errorField = OutputTable.SCHEMA.fieldIndex(OutputTable.ERROR_CODE);
    }

    @Override
    public boolean hasNext() {
      long start = System.nanoTime();
      if (firstRequest < 0) {
        firstRequest = start;
      }
      boolean more = upstream.hasNext();
      upstreamNanos += System.nanoTime() - start;
      return more;
    }

    @Override
    public Row next() {
      long start = System.nanoTime();
      if (firstRequest < 0) {
        firstRequest = start;
      }
      Row row = upstream.next();
      upstreamNanos += System.nanoTime() - start;
      metrics.rows.add(1);
      if (row.isNullAt(errorField)) {
        metrics.labels.add(row.isNullAt(labelField) ? "(no label)" : row.getString(labelField));
      } else {
        metrics.errors.add(row.getString(errorField));
      }
      return row;
    }

    /** Books the task's time; called once when the task ends, successful or not. */
    void finish() {
      if (finished || firstRequest < 0) {
        return;
      }
      finished = true;
      long total = System.nanoTime() - firstRequest;
      metrics.upstreamNanos.add(upstreamNanos);
      metrics.writeNanos.add(Math.max(0, total - upstreamNanos));
    }
  }
}
