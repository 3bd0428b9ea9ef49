package io.resnetspark.job.it;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Watches the job's labelling stage: the stage with one task per {@code --partitions} (choose a number no other stage
 * of the run has), each of which reads and labels one partition and hands its rows to the write (a shuffle into as
 * many files as the rows fill). The checks, listings and counts the job runs before it are other stages, so a fault
 * injected after {@link #awaitFirstPartitionWritten} lands in the middle of inference, and it loses the finished
 * partitions' rows held by that executor too, which Spark labels again.
 */
final class LabellingProgress extends SparkListener {
  private final int partitions;
  private final Set<Integer> labellingStages = ConcurrentHashMap.newKeySet();
  private final CountDownLatch firstWritten = new CountDownLatch(1);
  private final Map<String, AtomicInteger> runningByExecutor = new ConcurrentHashMap<>();
  private final AtomicInteger failedTasks = new AtomicInteger();

  LabellingProgress(int partitions) {
    this.partitions = partitions;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
    // The shuffle before it has as many tasks as the listing's partitions, the checks and counts one or two; stage
    // names do not help (they name a call site inside Spark's SQL execution).
    if (submitted.stageInfo().numTasks() == partitions) {
      labellingStages.add(submitted.stageInfo().stageId());
    }
  }

  @Override
  public void onTaskStart(SparkListenerTaskStart start) {
    if (labellingStages.contains(start.stageId())) {
      counter(start.taskInfo().executorId()).incrementAndGet();
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (!labellingStages.contains(end.stageId())) {
      return;
    }
    counter(end.taskInfo().executorId()).decrementAndGet();
    if (end.taskInfo().successful()) {
      firstWritten.countDown();
    } else {
      failedTasks.incrementAndGet();
    }
  }

  /** Waits until one partition has been labelled and written, polling {@code stillRunning} for an early end. */
  boolean awaitFirstPartitionWritten(long timeout, TimeUnit unit, BooleanSupplier stillRunning)
      throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (!firstWritten.await(100, TimeUnit.MILLISECONDS)) {
      if (!stillRunning.getAsBoolean() || System.nanoTime() > deadline) {
        return false;
      }
    }
    return true;
  }

  /** How many labelling tasks the executor with this Spark id runs right now. */
  int runningTasks(String executorId) {
    return runningByExecutor.getOrDefault(executorId, new AtomicInteger()).get();
  }

  /** Labelling tasks that failed (lost with their executor, or failed by storage). */
  int failedTasks() {
    return failedTasks.get();
  }

  private AtomicInteger counter(String executorId) {
    return runningByExecutor.computeIfAbsent(executorId, id -> new AtomicInteger());
  }
}
