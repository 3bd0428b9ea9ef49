package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.Success$;
import org.apache.spark.TaskState;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.scheduler.TaskLocality;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import scala.Option;
import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.collection.mutable.HashMap;
import scala.jdk.javaapi.CollectionConverters;

/** Progress in images: finished tasks exactly, running tasks as of their last heartbeat. */
@ExtendWith(TestSpark.class)
class ProgressReporterTest {
  static final long ACCUMULATOR = 42;

  static AccumulableInfo update(long id, long value) {
    return new AccumulableInfo(id, Option.apply("rows"), Option.apply(value), Option.empty(), false, false,
        Option.empty());
  }

  static SparkListenerExecutorMetricsUpdate heartbeat(long taskId, AccumulableInfo... updates) {
    Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task =
        new Tuple4<>(taskId, 0, 0, CollectionConverters.asScala(List.of(updates)).toList());
    return new SparkListenerExecutorMetricsUpdate("1", CollectionConverters.asScala(List.of(task)).toList(),
        new HashMap<>());
  }

  static SparkListenerTaskEnd taskEnd(long taskId, boolean successful, AccumulableInfo... updates) {
    TaskInfo info = new TaskInfo(taskId, 0, 0, 0, 0L, "1", "host", TaskLocality.ANY(), false);
    info.setAccumulables(CollectionConverters.asScala(List.of(updates)).toList());
    info.markFinished(successful ? TaskState.FINISHED() : TaskState.FAILED(), 1L);
    return new SparkListenerTaskEnd(0, 0, "ResultTask", Success$.MODULE$, info, new ExecutorMetrics(), null);
  }

  @Test
  void runningTasksCountWithTheirLatestHeartbeat() {
    ProgressReporter p = new ProgressReporter(ACCUMULATOR, 100, line -> { });
    p.onExecutorMetricsUpdate(heartbeat(7, update(ACCUMULATOR, 12)));
    p.onExecutorMetricsUpdate(heartbeat(8, update(ACCUMULATOR, 3), update(ACCUMULATOR + 1, 999)));
    assertEquals(15, p.done());
    p.onExecutorMetricsUpdate(heartbeat(7, update(ACCUMULATOR, 20)));
    assertEquals(23, p.done(), "a heartbeat replaces the task's previous value");
  }

  @Test
  void finishedTasksCountWithTheirFinalValueAndLateHeartbeatsAreIgnored() {
    ProgressReporter p = new ProgressReporter(ACCUMULATOR, 100, line -> { });
    p.onExecutorMetricsUpdate(heartbeat(7, update(ACCUMULATOR, 12)));
    p.onTaskEnd(taskEnd(7, true, update(ACCUMULATOR, 25)));
    p.onExecutorMetricsUpdate(heartbeat(7, update(ACCUMULATOR, 12)));
    assertEquals(25, p.done());
  }

  @Test
  void aFailedTaskCountsNothing() {
    ProgressReporter p = new ProgressReporter(ACCUMULATOR, 100, line -> { });
    p.onExecutorMetricsUpdate(heartbeat(9, update(ACCUMULATOR, 12)));
    p.onTaskEnd(taskEnd(9, false, update(ACCUMULATOR, 12)));
    assertEquals(0, p.done(), "its rows are written again by the retry");
  }

  @Test
  void followsARealSparkJob() throws InterruptedException {
    SparkSession spark = TestSpark.session();
    RunMetrics metrics = RunMetrics.register(spark.sparkContext(), "progress-test");
    List<String> lines = new CopyOnWriteArrayList<>();
    try (ProgressReporter p = new ProgressReporter(metrics.rowsAccumulatorId(), 50, lines::add)) {
      spark.sparkContext().addSparkListener(p);
      p.start(Duration.ofMillis(50));
      try {
        spark.range(0, 50, 1, 5).foreach((ForeachFunction<Long>) x ->
            metrics.rows.add(1));
      } finally {
        spark.sparkContext().removeSparkListener(p);
      }
      // Exact as soon as the job has ended, whether or not the listener has heard of every task yet.
      assertTrue(p.line(metrics.rowsWritten()).startsWith("labelled 50 of 50 images (100.0%), "),
          p.line(metrics.rowsWritten()));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (p.done() < 50 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(50, p.done());
      assertTrue(p.line().startsWith("labelled 50 of 50 images (100.0%), "), p.line());
      while (lines.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(lines.get(0).startsWith("labelled "), lines.toString());
    }
  }
}
