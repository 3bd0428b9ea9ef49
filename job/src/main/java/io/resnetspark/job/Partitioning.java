package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * How many partitions (tasks) a run's images are spread over, and which image goes to which. Each task loads
 * nothing new (the model is cached per executor JVM), so the count trades scheduling overhead against balance and
 * retry cost: by default one partition per {@code --bytes-per-partition} of input, at least one per core so every
 * core works, and never more than one per image. Images go to partitions by bytes, not by count: one 12 MP photo
 * weighs as much as forty thumbnails.
 */
public final class Partitioning {
  /**
   * What a file weighs beyond its bytes: opening, reading and decoding it costs something however small it is, and
   * files of unknown size (a manifest without sizes) still spread evenly.
   */
  static final long BYTES_PER_FILE = 4096;

  private Partitioning() {
  }

  /**
   * @param requested {@code --partitions}, or null
   * @param bytesPerPartition {@code --bytes-per-partition}
   * @param totalBytes bytes of the images to label
   * @param images how many images to label
   * @param cores the application's default parallelism
   */
  public static int partitions(Integer requested, long bytesPerPartition, long totalBytes, long images, int cores) {
    if (images <= 0) {
      return 1;
    }
    if (requested != null) {
      return requested;
    }
    long bySize = (totalBytes + bytesPerPartition - 1) / bytesPerPartition;
    long wanted = Math.max(bySize, Math.max(1, cores));
    return (int) Math.min(Math.min(wanted, images), Integer.MAX_VALUE);
  }

  /**
   * {@code rows} (with a {@code length} column) spread over {@code partitions} partitions of similar bytes. A first
   * pass sums each upstream partition's bytes (one number per partition reaches the driver); then the rows, in path
   * order within their upstream partition, are laid end to end in upstream order and cut into {@code partitions}
   * runs of equal bytes: a file goes to the run its middle byte falls in, so a partition's bytes differ from the
   * mean by less than the largest file. The cut depends only on which rows each upstream partition holds, not on
   * their order, so a recomputed task sends each row where its first attempt did.
   */
  public static Dataset<Row> balancedByBytes(Dataset<Row> rows, int partitions) {
    int lengthIndex = rows.schema().fieldIndex(OutputTable.LENGTH);
    JavaRDD<Row> sorted = rows.sortWithinPartitions(col(OutputTable.PATH)).javaRDD();
    List<Long> totals = sorted.mapPartitions((FlatMapFunction<Iterator<Row>, Long>) it -> {
      long sum = 0;
      while (it.hasNext()) {
        sum += weight(it.next(), lengthIndex);
      }
      return List.of(sum).iterator();
    }).collect();
    long[] offsets = new long[totals.size() + 1];
    for (int i = 0; i < totals.size(); i++) {
      offsets[i + 1] = offsets[i] + totals.get(i);
    }
    JavaRDD<Row> balanced = sorted
        .mapPartitionsToPair((PairFlatMapFunction<Iterator<Row>, Integer, Row>) it ->
            new Cutter(it, partitions, lengthIndex, offsets[TaskContext.getPartitionId()], offsets[totals.size()]))
        .partitionBy(new ByIndex(partitions))
        .values();
    return rows.sparkSession().createDataFrame(balanced, rows.schema());
  }

  static long weight(Row row, int lengthIndex) {
    return (row.isNullAt(lengthIndex) ? 0 : Math.max(0, row.getLong(lengthIndex))) + BYTES_PER_FILE;
  }

  /** Numbers each row with the run of equal bytes its middle byte falls in. */
  static final class Cutter implements Iterator<Tuple2<Integer, Row>> {
    private final Iterator<Row> rows;
    private final int partitions;
    private final int lengthIndex;
    private final double total;
    private long position;

    Cutter(Iterator<Row> rows, int partitions, int lengthIndex, long offset, long total) {
      this.rows = rows;
      this.partitions = partitions;
      this.lengthIndex = lengthIndex;
      this.position = offset;
      this.total = Math.max(1, total);
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public Tuple2<Integer, Row> next() {
      Row row = rows.next();
      long weight = weight(row, lengthIndex);
      int run = (int) Math.min(partitions - 1, Math.floor((position + weight / 2.0) / total * partitions));
      position += weight;
      return new Tuple2<>(run, row);
    }
  }

  /** Sends key {@code i} to partition {@code i}. */
  static final class ByIndex extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    ByIndex(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof ByIndex o && o.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }
}
