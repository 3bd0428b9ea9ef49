package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.InputSource.Candidates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a run considers, under which names, and what it says when there are none. */
class InputSourceTest {
  @TempDir
  Path dir;

  final SparkSession spark = TestSpark.session();

  @BeforeEach
  void files() throws IOException {
    SampleImages.write(dir.resolve("images"), 2, 32, 48, 1);
    Files.createDirectories(dir.resolve("images/deep/er"));
    Files.write(dir.resolve("images/deep/er/UPPER.JPG"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("images/deep/with space %.png"), new byte[] {4, 5});
    Files.writeString(dir.resolve("images/notes.txt"), "not an image");
    Files.write(dir.resolve("images/_hidden.jpg"), new byte[] {6});
    Files.write(dir.resolve("images/.also-hidden.jpg"), new byte[] {7});
  }

  JobOptions options(String... more) {
    String[] base = {"--output", dir.resolve("out").toString(), "--model", "/m"};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return JobCommandLine.parse(args).options();
  }

  Map<String, Row> byName(Dataset<Row> rows) {
    return rows.collectAsList().stream().collect(Collectors.toMap(
        r -> r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1), r -> r));
  }

  @Test
  void filesAreFoundRecursivelyByExtensionIgnoringCaseAndSkippingHiddenNames() throws IOException {
    Candidates c = InputSource.candidates(spark, options("--input", dir.resolve("images").toString()));
    assertNull(c.payloadColumn(), "binaryFile candidates carry no bytes");
    assertEquals(List.of(OutputTable.PATH, OutputTable.MODIFICATION_TIME, OutputTable.LENGTH),
        List.of(c.rows().columns()));
    Map<String, Row> files = byName(c.rows());
    assertEquals(List.of("UPPER.JPG", "sample-000.jpg", "sample-001.png", "with space %.png"),
        files.keySet().stream().sorted().toList());
    assertEquals(3L, files.get("UPPER.JPG").getLong(2));
    assertTrue(files.get("UPPER.JPG").getString(0).startsWith("file:/"), files.get("UPPER.JPG").getString(0));
    assertEquals(Files.getLastModifiedTime(dir.resolve("images/deep/er/UPPER.JPG")).toMillis(),
        files.get("UPPER.JPG").getTimestamp(1).getTime());
  }

  @Test
  void aStarTakesEveryVisibleFile() {
    Candidates c = InputSource.candidates(spark,
        options("--input", dir.resolve("images").toString(), "--extensions", "*"));
    assertTrue(byName(c.rows()).containsKey("notes.txt"));
    assertEquals(5, c.rows().count());
  }

  @Test
  void overlappingInputsListAFileOnce() {
    Candidates c = InputSource.candidates(spark, options("--input", dir.resolve("images").toString(),
        "--input", dir.resolve("images/deep").toString()));
    assertEquals(4, c.rows().count());
  }

  @Test
  void globsSelectDirectories() {
    Candidates c = InputSource.candidates(spark, options("--input", dir.resolve("images/g*").toString()));
    assertEquals(List.of("sample-000.jpg"), List.copyOf(byName(c.rows()).keySet()));
  }

  @Test
  void imageInputNamesFilesAsBinaryFileDoes() {
    Candidates image = InputSource.candidates(spark,
        options("--input", dir.resolve("images").toString(), "--input-format", "image"));
    Candidates binary = InputSource.candidates(spark, options("--input", dir.resolve("images").toString()));
    assertEquals(InputSource.IMAGE, image.payloadColumn());
    assertEquals(binary.rows().select(OutputTable.PATH, OutputTable.MODIFICATION_TIME, OutputTable.LENGTH)
            .collectAsList().stream().map(Row::toString).sorted().toList(),
        image.rows().select(OutputTable.PATH, OutputTable.MODIFICATION_TIME, OutputTable.LENGTH)
            .collectAsList().stream().map(Row::toString).sorted().toList());
  }

  @Test
  void parquetInputMapsItsColumns() {
    StructType schema = new StructType().add("uri", DataTypes.StringType).add("bytes", DataTypes.BinaryType)
        .add("taken", DataTypes.TimestampType);
    String location = dir.resolve("table").toString();
    spark.createDataFrame(List.of(RowFactory.create("s3a://b/x.jpg", new byte[] {1, 2, 3, 4},
        java.sql.Timestamp.valueOf("2024-01-01 00:00:00"))), schema).write().parquet(location);
    Candidates c = InputSource.candidates(spark, options("--input", location, "--input-format", "parquet",
        "--path-column", "uri", "--content-column", "bytes", "--modification-time-column", "taken"));
    assertEquals(ContentReader.CONTENT, c.payloadColumn());
    Row row = c.rows().first();
    assertEquals("s3a://b/x.jpg", row.getString(0));
    assertEquals(java.sql.Timestamp.valueOf("2024-01-01 00:00:00"), row.getTimestamp(1));
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

  @Test
  void missingInputsAreNamed() {
    var conf = spark.sparkContext().hadoopConfiguration();
    ConfigException missing = assertThrows(ConfigException.class,
        () -> InputSource.checkInputsExist(List.of(dir.resolve("nope").toString()), conf));
    assertTrue(missing.getMessage().endsWith("nope does not exist"), missing.getMessage());
    ConfigException glob = assertThrows(ConfigException.class,
        () -> InputSource.checkInputsExist(List.of(dir.resolve("images/x*").toString()), conf));
    assertTrue(glob.getMessage().endsWith("x* matches no file or directory"), glob.getMessage());
    InputSource.checkInputsExist(List.of(dir.resolve("images").toString(), dir.resolve("images/s*").toString()),
        conf);
  }

  @Test
  void theNameGlobIgnoresCase() {
    assertEquals("*.{[jJ][pP][gG],[tT][iI][fF]2}", InputSource.nameGlob(List.of("jpg", "tif2")));
  }

  @Test
  void encodedUrisBecomeHadoopPaths() {
    assertEquals("file:/tmp/a b%.png", InputSource.hadoopPath("file:/tmp/a%20b%25.png"));
    assertEquals("s3a://bucket/k/x.jpg", InputSource.hadoopPath("s3a://bucket/k/x.jpg"));
  }
}
