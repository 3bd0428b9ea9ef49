package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many tasks a run's images are spread over. */
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
}
