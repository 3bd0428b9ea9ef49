package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.udf.errors.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Timestamp;
import java.util.List;
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
    Path a = Files.write(dir.resolve("a.jpg"), new byte[] {1});
    Path b = Files.write(dir.resolve("b.jpg"), new byte[] {2, 2});
    Dataset<Row> listing = spark.createDataFrame(List.of(listed(a, 1), listed(b, 2),
        listed(dir.resolve("c.jpg"), 3)), ContentReader.INPUT_SCHEMA).repartition(2);
    LongAccumulator nanos = spark.sparkContext().longAccumulator("read ns");
    var hadoop = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    List<Row> rows = listing.mapPartitions(new ContentReader(hadoop, 100, nanos),
        Encoders.row(ContentReader.OUTPUT_SCHEMA)).orderBy(OutputTable.PATH).collectAsList();
    assertEquals(3, rows.size());
    assertArrayEquals(new byte[] {2, 2}, (byte[]) rows.get(1).get(3));
    assertEquals(ErrorCode.UNREADABLE.name(), rows.get(2).getString(4));
    assertTrue(nanos.value() > 0);
  }
}
