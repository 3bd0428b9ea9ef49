package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.InputSource.Candidates;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The candidate rows of each input format, and how they name files. */
@ExtendWith(TestSpark.class)
class InputSourceTest {
  @TempDir
  Path dir;

  final SparkSession spark = TestSpark.session();

  @BeforeEach
  void files() throws IOException {
    SampleImages.write(dir.resolve("images"), 2, 32, 48, 1);
    Files.createDirectories(dir.resolve("images/deep"));
    Files.write(dir.resolve("images/deep/with space %.png"), new byte[] {4, 5});
    Files.write(dir.resolve("images/deep/empty.jpg"), new byte[0]);
  }

  JobOptions options(String... more) {
    String[] base = {"--output", dir.resolve("out").toString(), "--model", "/m"};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return JobCommandLine.parse(args).options();
  }

  static List<String> keys(Dataset<Row> rows) {
    return rows.select(OutputTable.PATH, OutputTable.MODIFICATION_TIME, OutputTable.LENGTH).collectAsList().stream()
        .map(Row::toString).sorted().toList();
  }

  @Test
  void fileCandidatesAreTheDistributedListingWithoutBytes() {
    List<String> listed = keys(DistributedListing.list(spark, List.of(dir.resolve("images").toString()),
        List.of("jpg", "png")));
    assertEquals(4, listed.size());
    for (String format : List.of("binaryFile", "image")) {
      Candidates c = InputSource.candidates(spark, options("--input", dir.resolve("images").toString(),
          "--input-format", format, "--extensions", "jpg,png"));
      assertNull(c.payloadColumn(), format + " candidates carry no bytes; they are read after the incremental filter");
      assertEquals(List.of(OutputTable.PATH, OutputTable.MODIFICATION_TIME, OutputTable.LENGTH),
          List.of(c.rows().columns()));
      assertEquals(listed, keys(c.rows()), format);
    }
  }

  @Test
  void imageInputDecodesTheBytesItReadsIntoTheStructSparksImageSourceGives() {
    Candidates c = InputSource.candidates(spark, options("--input", dir.resolve("images").toString(),
        "--input-format", "image", "--extensions", "jpg,png"));
    Dataset<Row> read = spark.createDataFrame(c.rows().collectAsList().stream()
        .map(r -> ContentReader.read(r, new Configuration(), 1 << 20)).toList(), ContentReader.OUTPUT_SCHEMA);
    Map<String, Row> ours = new TreeMap<>();
    for (Row r : InputSource.withSparkImages(read).collectAsList()) {
      ours.put(r.getString(0), r.getStruct(r.fieldIndex(InputSource.IMAGE)));
    }
    // Spark's own image source (which skips zero-length files) over the same files, undecodable ones kept.
    List<Row> sparks = spark.read().format("image").option("dropInvalid", "false").option("recursiveFileLookup", "true")
        .load(dir.resolve("images").toString()).select(InputSource.IMAGE).collectAsList();
    assertEquals(3, sparks.size());
    for (Row r : sparks) {
      Row image = r.getStruct(0);
      String path = new org.apache.hadoop.fs.Path(URI.create(image.getString(0))).toString();
      Row mine = ours.get(path);
      assertEquals(path, new org.apache.hadoop.fs.Path(URI.create(mine.getString(0))).toString(),
          "origin: the URL-encoded URI (Spark writes file:/// where Hadoop writes file:/)");
      for (int field = 1; field <= 4; field++) {
        assertEquals(image.get(field), mine.get(field), path + " " + image.schema().fields()[field].name());
      }
      assertArrayEquals((byte[]) image.get(5), (byte[]) mine.get(5), path);
    }
    assertEquals(-1, ours.get("file:" + dir.resolve("images/deep/with space %.png")).getInt(1),
        "bytes that do not decode give Spark's invalid image row");
    assertNull(ours.get("file:" + dir.resolve("images/deep/empty.jpg")), "an empty file has no image: EMPTY");
    assertEquals(4, ours.size());
  }

  @Test
  void parquetInputMapsItsColumns() {
    StructType schema = new StructType().add("uri", DataTypes.StringType).add("bytes", DataTypes.BinaryType)
        .add("taken", DataTypes.TimestampType);
    String location = dir.resolve("table").toString();
    spark.createDataFrame(List.of(RowFactory.create("s3a://b/x.jpg", new byte[] {1, 2, 3, 4},
        Timestamp.valueOf("2024-01-01 00:00:00"))), schema).write().parquet(location);
    Candidates c = InputSource.candidates(spark, options("--input", location, "--input-format", "parquet",
        "--path-column", "uri", "--content-column", "bytes", "--modification-time-column", "taken"));
    assertEquals(ContentReader.CONTENT, c.payloadColumn());
    Row row = c.rows().first();
    assertEquals("s3a://b/x.jpg", row.getString(0));
    assertEquals(Timestamp.valueOf("2024-01-01 00:00:00"), row.getTimestamp(1));
    assertEquals(4L, row.getLong(2));
    assertEquals(4, ((byte[]) row.get(3)).length);

    ConfigException missing = assertThrows(ConfigException.class, () -> InputSource.candidates(spark,
        options("--input", location, "--input-format", "parquet", "--path-column", "uri")));
    assertTrue(missing.getMessage().contains("no column 'content' (--content-column); its columns are uri, bytes, "
        + "taken"), missing.getMessage());
    ConfigException wrongType = assertThrows(ConfigException.class, () -> InputSource.candidates(spark,
        options("--input", location, "--input-format", "parquet", "--content-column", "bytes",
            "--path-column", "bytes")));
    assertTrue(wrongType.getMessage().contains("--path-column bytes is binary, not string"), wrongType.getMessage());
  }

  @Test
  void anUnknownTableIsAConfigError() {
    ConfigException e = assertThrows(ConfigException.class, () -> InputSource.candidates(spark,
        options("--input", "no_such_table", "--input-format", "table")));
    assertTrue(e.getMessage().contains("cannot read input no_such_table as table"), e.getMessage());
  }
}
