package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** The meter before the writer: rows pass unchanged, and are counted and timed. */
class OutputMeterTest {
  static final Timestamp T = Timestamp.valueOf("2024-05-01 10:00:00");

  static Row row(String label, String error) {
    return RowFactory.create("file:/x", T, 1L, label, label == null ? null : 0, label == null ? null : 0.9f, null,
        null, error, error == null ? null : "why", "resnet18", "sha", "run", T);
  }

  /** An upstream that takes {@code millis} per row, like inference. */
  static Iterator<Row> slow(List<Row> rows, long millis) {
    Iterator<Row> it = rows.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Row next() {
        sleep(millis);
        return it.next();
      }
    };
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void rowsPassThroughAndAreCountedByLabelAndErrorCode() {
    RunMetrics metrics = RunMetrics.register(TestSpark.session().sparkContext(), "meter-1");
    List<Row> input = List.of(row("cat", null), row("cat", null), row("dog", null), row(null, "CORRUPT"));
    OutputMeter.Meter meter = new OutputMeter.Meter(input.iterator(), metrics);
    List<Row> output = new ArrayList<>();
    meter.forEachRemaining(output::add);
    meter.finish();
    assertEquals(input, output);
    assertEquals(4, metrics.rowsWritten());
    assertEquals(Map.of("cat", 2L, "dog", 1L), metrics.labelCounts());
    assertEquals(Map.of("CORRUPT", 1L), metrics.errorCounts());
    assertEquals(1, metrics.errorCount());
  }

  @Test
  void timeInsideUpstreamIsLabellingAndTheRestIsWriting() {
    RunMetrics metrics = RunMetrics.register(TestSpark.session().sparkContext(), "meter-2");
    OutputMeter.Meter meter = new OutputMeter.Meter(slow(List.of(row("a", null), row("b", null)), 60), metrics);
    while (meter.hasNext()) {
      meter.next();
      sleep(20);
    }
    sleep(30);
    meter.finish();
    meter.finish();
    long upstreamMs = metrics.upstreamNanos() / 1_000_000;
    long writeMs = metrics.writeNanos() / 1_000_000;
    assertTrue(upstreamMs >= 120 && upstreamMs < 400, "upstream " + upstreamMs + " ms");
    assertTrue(writeMs >= 70 && writeMs < 400, "write " + writeMs + " ms");
  }

  @Test
  void aTaskThatNeverAskedForRowsBooksNoTime() {
    RunMetrics metrics = RunMetrics.register(TestSpark.session().sparkContext(), "meter-3");
    new OutputMeter.Meter(List.<Row>of().iterator(), metrics).finish();
    assertEquals(0, metrics.writeNanos());
    assertEquals(0, metrics.upstreamNanos());
  }
}
