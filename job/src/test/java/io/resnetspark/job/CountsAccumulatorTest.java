package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Counts per key summed over tasks. */
@ExtendWith(TestSpark.class)
class CountsAccumulatorTest {
  @Test
  void addsMergesCopiesAndResets() {
    CountsAccumulator a = new CountsAccumulator();
    assertTrue(a.isZero());
    a.add("cat");
    a.add("cat");
    a.add("dog", 3);
    CountsAccumulator b = a.copy();
    b.add("cat");
    a.merge(b);
    assertEquals(Map.of("cat", 5L, "dog", 6L), a.value());
    assertEquals(Map.of("cat", 3L, "dog", 3L), b.value(), "a copy is independent");
    a.reset();
    assertTrue(a.isZero());
    assertFalse(b.isZero());
  }

  @Test
  void sumsTheTasksOfASparkJob() {
    SparkSession spark = TestSpark.session();
    CountsAccumulator counts = new CountsAccumulator();
    spark.sparkContext().register(counts, "test counts");
    spark.createDataset(List.of("a", "b", "a", "c", "a", "b"), Encoders.STRING()).repartition(3)
        .foreach((ForeachFunction<String>) counts::add);
    assertEquals(Map.of("a", 3L, "b", 2L, "c", 1L), counts.value());
  }
}
