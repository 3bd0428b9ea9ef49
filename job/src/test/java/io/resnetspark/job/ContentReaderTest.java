package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.udf.errors.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Reading listed files on the executors: bytes, or a per-row reason instead of a failed task. */
@ExtendWith(TestSpark.class)
class ContentReaderTest {
  static final Timestamp T = Timestamp.valueOf("2024-05-01 10:00:00");

  @TempDir
  Path dir;

  final Configuration conf = new Configuration();

  static Row listed(Path file, long length) {
    return RowFactory.create("file:" + file, T, length);
  }

  @Test
  void aFileBecomesItsBytesWithTheListingColumnsKept() throws IOException {
    Path file = Files.write(dir.resolve("a b.jpg"), new byte[] {1, 2, 3});
    Row row = ContentReader.read(listed(file, 3), conf, 100);
    assertEquals("file:" + file, row.getString(0));
    assertEquals(T, row.getTimestamp(1));
    assertEquals(3L, row.getLong(2));
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) row.get(3));
    assertNull(row.get(4));
    assertNull(row.get(5));
  }

  @Test
  void aFileOverTheLimitIsNotReadAtAll() throws IOException {
    Path file = Files.write(dir.resolve("big.jpg"), new byte[10]);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    Row row = ContentReader.read(listed(file, 10), conf, 9);
    assertNull(row.get(3));
    assertEquals(ErrorCode.TOO_LARGE.name(), row.getString(4));
    assertEquals("the file has 10 bytes; the limit is 9", row.getString(5));
  }

  @Test
  void aFileThatGrewPastTheLimitSinceTheListingIsTooLarge() throws IOException {
    Path file = Files.write(dir.resolve("grew.jpg"), new byte[10]);
    Row row = ContentReader.read(listed(file, 5), conf, 9);
    assertEquals(ErrorCode.TOO_LARGE.name(), row.getString(4));
    assertTrue(row.getString(5).contains("grew past the limit"), row.getString(5));
  }

  @Test
  void aFileGoneSinceTheListingIsUnreadable() {
    Row row = ContentReader.read(listed(dir.resolve("gone.jpg"), 5), conf, 100);
    assertNull(row.get(3));
    assertEquals(ErrorCode.UNREADABLE.name(), row.getString(4));
    assertTrue(row.getString(5).startsWith("the file was listed but is gone"), row.getString(5));
  }

  @Test
  void readAtMostStopsOneByteOverTheLimit() throws IOException {
    assertArrayEquals(new byte[4], ContentReader.readAtMost(new ByteArrayInputStream(new byte[4]), 4));
    assertNull(ContentReader.readAtMost(new ByteArrayInputStream(new byte[5]), 4));
    assertArrayEquals(new byte[0], ContentReader.readAtMost(new ByteArrayInputStream(new byte[0]), 4));
  }

  @Test
  void onSparkEveryRowIsReadAndTheTimeIsCounted() throws IOException {
    SparkSession spark = TestSpark.session();
    List<Row> listed = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      listed.add(listed(Files.write(dir.resolve(String.format("f%02d.jpg", i)), new byte[] {(byte) i, 7}), 2));
    }
    listed.add(listed(dir.resolve("gone.jpg"), 3));
    Dataset<Row> listing = spark.createDataFrame(listed, ContentReader.INPUT_SCHEMA).repartition(2);
    LongAccumulator nanos = spark.sparkContext().longAccumulator("read ns");
    var hadoop = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    List<Row> rows = listing.mapPartitions(new ContentReader(hadoop, 100, new OverlappedReads.Window(4, 1000), nanos),
        Encoders.row(ContentReader.OUTPUT_SCHEMA)).orderBy(OutputTable.PATH).collectAsList();
    assertEquals(25, rows.size(), "one row per listed file");
    for (int i = 0; i < 24; i++) {
      assertTrue(rows.get(i).getString(0).endsWith(String.format("f%02d.jpg", i)));
      assertArrayEquals(new byte[] {(byte) i, 7}, (byte[]) rows.get(i).get(3), "each row carries its own file's bytes");
    }
    assertEquals(ErrorCode.UNREADABLE.name(), rows.get(24).getString(4));
    assertTrue(nanos.value() > 0);
  }

  @Test
  void aFileReservesItsListedLengthInTheReadWindowOrTheLimitWhenItsLengthIsUnknown() {
    assertEquals(3, ContentReader.reservation(RowFactory.create("f", T, 3L), 100));
    assertEquals(100, ContentReader.reservation(RowFactory.create("f", T, null), 100));
    assertEquals(0, ContentReader.reservation(RowFactory.create("f", T, 101L), 100), "over the limit: not read");
  }

  @Test
  void filesAreReadThroughTheWindowInListingOrder() throws IOException {
    List<Row> listed = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      listed.add(listed(Files.write(dir.resolve("f" + i + ".jpg"), new byte[] {(byte) i}), 1));
    }
    listed.add(7, listed(dir.resolve("gone.jpg"), 1));
    AtomicLong waited = new AtomicLong();
    Iterator<Row> reads = ContentReader.reads(listed.iterator(), conf, 100, new OverlappedReads.Window(4, 3),
        waited::addAndGet, "content-reader-test");
    for (Row expected : listed) {
      Row row = reads.next();
      assertEquals(expected.getString(0), row.getString(0));
      if (row.getString(0).endsWith("gone.jpg")) {
        assertEquals(ErrorCode.UNREADABLE.name(), row.getString(4));
      } else {
        assertEquals(1, ((byte[]) row.get(3)).length);
      }
    }
    assertFalse(reads.hasNext());
    assertTrue(waited.get() > 0);
  }

  /** A limit abandons the partition's iterator: the task completion listener still stops its read threads. */
  @Test
  void onSparkAnAbandonedPartitionLeavesNoReadThreads() throws IOException {
    SparkSession spark = TestSpark.session();
    List<Row> listed = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      listed.add(listed(Files.write(dir.resolve("many-" + i + ".jpg"), new byte[] {(byte) i}), 1));
    }
    Dataset<Row> listing = spark.createDataFrame(listed, ContentReader.INPUT_SCHEMA).coalesce(1);
    var hadoop = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    List<Row> first = listing.mapPartitions(new ContentReader(hadoop, 100, new OverlappedReads.Window(8, 1000),
        spark.sparkContext().longAccumulator()), Encoders.row(ContentReader.OUTPUT_SCHEMA)).takeAsList(1);
    assertEquals(1, first.size());
    assertTrue(Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("resnet-read-") && t.isAlive()), "no read thread outlives its task");
  }
}
