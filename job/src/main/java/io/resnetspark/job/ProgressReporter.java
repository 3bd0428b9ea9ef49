package io.resnetspark.job;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Follows how many images a run has written, from the rows accumulator of {@link RunMetrics}: the final value of
 * each successful task (from task-end events) plus the latest value of each running task (from the executors'
 * heartbeats, every {@code spark.executor.heartbeatInterval}). A daemon thread logs one line per interval, next
 * to Spark's console progress bar, which shows tasks rather than images.
 */
public final class ProgressReporter extends SparkListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

  private final long accumulatorId;
  private final long total;
  private final Consumer<String> sink;
  private final long startNanos = System.nanoTime();
  private final Map<Long, Long> finished = new ConcurrentHashMap<>();
  private final Map<Long, Long> running = new ConcurrentHashMap<>();
  private final Set<Long> ended = ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService timer;

  /**
   * @param accumulatorId the rows accumulator to follow
   * @param total how many rows the run will write (for the percentage)
   * @param sink where progress lines go
   */
  public ProgressReporter(long accumulatorId, long total, Consumer<String> sink) {
    this.accumulatorId = accumulatorId;
    this.total = total;
    this.sink = sink;
  }

  /** A reporter that logs through the job's logger. */
  public static ProgressReporter logging(long accumulatorId, long total) {
    return new ProgressReporter(accumulatorId, total, LOG::info);
  }

  /** Starts logging a line every {@code interval}. */
  public ProgressReporter start(Duration interval) {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "resnet-spark-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(() -> sink.accept(line()), interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    long taskId = taskEnd.taskInfo().taskId();
    ended.add(taskId);
    running.remove(taskId);
    if (!taskEnd.taskInfo().successful()) {
      return;
    }
    for (AccumulableInfo info : CollectionConverters.asJava(taskEnd.taskInfo().accumulables())) {
      if (info.id() == accumulatorId && info.update().isDefined()) {
        finished.put(taskId, asLong(info.update().get()));
      }
    }
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task
        : CollectionConverters.asJava(update.accumUpdates())) {
      long taskId = (Long) task._1();
      if (ended.contains(taskId)) {
        continue;
      }
      for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
        if (info.id() == accumulatorId && info.update().isDefined()) {
          running.put(taskId, asLong(info.update().get()));
        }
      }
    }
  }

  /** Images written so far: finished tasks exactly, running tasks as of their last heartbeat. */
  public long done() {
    long sum = 0;
    for (long v : finished.values()) {
      sum += v;
    }
    for (long v : running.values()) {
      sum += v;
    }
    return sum;
  }

  /** The progress line, e.g. {@code labelled 120 of 400 images (30.0%), 12.1 images/s}. */
  public String line() {
    return line(done());
  }

  /**
   * The line for a count known exactly, such as the accumulator's own value once its job has ended: Spark's listener
   * bus delivers task-end events asynchronously, so {@link #done()} can still lag behind then.
   */
  public String line(long done) {
    double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    double percent = total == 0 ? 100 : 100.0 * done / total;
    return String.format(Locale.ROOT, "labelled %,d of %,d images (%.1f%%), %.1f images/s", done, total,
        percent, done / seconds);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private static long asLong(Object value) {
    return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString());
  }
}
