package io.resnetspark.job;

import static org.apache.spark.sql.functions.spark_partition_id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How many tasks a run's images are spread over, and how they are spread. */
@ExtendWith(TestSpark.class)
class PartitioningTest {
  static final long MB = 1 << 20;

  @Test
  void oneForEveryBytesPerPartitionOfInput() {
    assertEquals(10, Partitioning.partitions(null, 100 * MB, 1000 * MB, 100_000, 2));
    assertEquals(11, Partitioning.partitions(null, 100 * MB, 1000 * MB + 1, 100_000, 2));
  }

  @Test
  void atLeastOnePerCoreSoEveryCoreWorks() {
    assertEquals(8, Partitioning.partitions(null, 128 * MB, 5 * MB, 1000, 8));
  }

  @Test
  void neverMoreThanOnePerImage() {
    assertEquals(3, Partitioning.partitions(null, 1, 3000, 3, 8));
  }

  @Test
  void anExplicitCountWins() {
    assertEquals(7, Partitioning.partitions(7, 1, 1_000_000, 3, 2));
  }

  @Test
  void nothingToLabelIsOnePartition() {
    assertEquals(1, Partitioning.partitions(null, MB, 0, 0, 4));
  }

  /**
   * 8 photos of 256 KiB and 400 thumbnails of 10 KiB over 4 partitions: every row once, and each partition's
   * weight (bytes plus the cost of a file) less than one photo from the mean (a photo weighs as much as 25
   * thumbnails; spread by count, the partitions would differ by whole photos).
   */
  @Test
  void partitionsCarrySimilarBytesNotSimilarCounts() {
    SparkSession spark = TestSpark.session();
    List<Row> files = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      files.add(RowFactory.create("file:/lake/photo-" + i + ".jpg", new Timestamp(0), 256L << 10));
    }
    for (int i = 0; i < 400; i++) {
      files.add(RowFactory.create("file:/lake/thumb-" + i + ".jpg", new Timestamp(0), 10L << 10));
    }
    Dataset<Row> rows = spark.createDataFrame(files, ContentReader.INPUT_SCHEMA).repartition(3);
    Dataset<Row> balanced = Partitioning.balancedByBytes(rows, 4);
    assertEquals(4, balanced.rdd().getNumPartitions());

    Map<String, Integer> where = placement(balanced);
    assertEquals(files.size(), where.size(), "every file once");
    long[] bytes = new long[4];
    int[] counts = new int[4];
    for (Row f : files) {
      bytes[where.get(f.getString(0))] += f.getLong(2) + Partitioning.BYTES_PER_FILE;
      counts[where.get(f.getString(0))]++;
    }
    long min = Long.MAX_VALUE;
    long max = 0;
    for (long b : bytes) {
      min = Math.min(min, b);
      max = Math.max(max, b);
    }
    long photo = (256L << 10) + Partitioning.BYTES_PER_FILE;
    long mean = Arrays.stream(bytes).sum() / 4;
    assertTrue(max - mean < photo && mean - min < photo, "weight per partition "
        + Arrays.toString(bytes) + ", files " + Arrays.toString(counts));
    assertEquals(where, placement(Partitioning.balancedByBytes(rows, 4)), "the same rows go to the same partitions");
  }

  static Map<String, Integer> placement(Dataset<Row> rows) {
    Map<String, Integer> where = new TreeMap<>();
    for (Row r : rows.select(rows.col(OutputTable.PATH), spark_partition_id()).collectAsList()) {
      assertEquals(null, where.put(r.getString(0), r.getInt(1)), "twice: " + r);
    }
    return where;
  }
}
