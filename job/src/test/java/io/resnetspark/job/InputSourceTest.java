package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.InputSource.Candidates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
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

  List<FileListing.Entry> listing;

  @BeforeEach
  void files() throws IOException {
    SampleImages.write(dir.resolve("images"), 2, 32, 48, 1);
    Files.createDirectories(dir.resolve("images/deep"));
    Files.write(dir.resolve("images/deep/with space %.png"), new byte[] {4, 5});
    Files.write(dir.resolve("images/deep/empty.jpg"), new byte[0]);
    listing = FileListing.list(List.of(dir.resolve("images").toString()), List.of("jpg", "png"),
        spark.sparkContext().hadoopConfiguration());
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
  void binaryFileCandidatesAreTheListingWithoutBytes() {
    Candidates c = InputSource.candidates(spark, options("--input", dir.resolve("images").toString()), listing);
    assertNull(c.payloadColumn(), "binaryFile candidates carry no bytes; they are read after the incremental filter");
    assertEquals(List.of(OutputTable.PATH, OutputTable.MODIFICATION_TIME, OutputTable.LENGTH),
        List.of(c.rows().columns()));
    assertEquals(listing.stream().map(f -> "[" + f.path() + "," + new Timestamp(f.modificationTime()) + ","
        + f.length() + "]").sorted().toList(), keys(c.rows()));
  }

  @Test
  void imageInputHasARowPerListedFileUnderTheSameNamesEmptyOnesIncluded() {
    Candidates image = InputSource.candidates(spark,
        options("--input", dir.resolve("images").toString(), "--input-format", "image", "--extensions", "jpg,png"),
        listing);
    Candidates binary = InputSource.candidates(spark, options("--input", dir.resolve("images").toString()), listing);
    assertEquals(InputSource.IMAGE, image.payloadColumn());
    assertEquals(4, image.rows().count());
    assertEquals(keys(binary.rows()), keys(image.rows()));
    Row empty = image.rows().where(col(OutputTable.LENGTH).equalTo(0)).first();
    assertTrue(empty.isNullAt(empty.fieldIndex(InputSource.IMAGE)));
  }

  @Test
  void parquetInputMapsItsColumns() {
    StructType schema = new StructType().add("uri", DataTypes.StringType).add("bytes", DataTypes.BinaryType)
        .add("taken", DataTypes.TimestampType);
    String location = dir.resolve("table").toString();
    spark.createDataFrame(List.of(RowFactory.create("s3a://b/x.jpg", new byte[] {1, 2, 3, 4},
        Timestamp.valueOf("2024-01-01 00:00:00"))), schema).write().parquet(location);
    Candidates c = InputSource.candidates(spark, options("--input", location, "--input-format", "parquet",
        "--path-column", "uri", "--content-column", "bytes", "--modification-time-column", "taken"), null);
    assertEquals(ContentReader.CONTENT, c.payloadColumn());
    Row row = c.rows().first();
    assertEquals("s3a://b/x.jpg", row.getString(0));
    assertEquals(Timestamp.valueOf("2024-01-01 00:00:00"), row.getTimestamp(1));
    assertEquals(4L, row.getLong(2));
    assertEquals(4, ((byte[]) row.get(3)).length);

    ConfigException missing = assertThrows(ConfigException.class, () -> InputSource.candidates(spark,
        options("--input", location, "--input-format", "parquet", "--path-column", "uri"), null));
    assertTrue(missing.getMessage().contains("no column 'content' (--content-column); its columns are uri, bytes, "
        + "taken"), missing.getMessage());
    ConfigException wrongType = assertThrows(ConfigException.class, () -> InputSource.candidates(spark,
        options("--input", location, "--input-format", "parquet", "--content-column", "bytes",
            "--path-column", "bytes"), null));
    assertTrue(wrongType.getMessage().contains("--path-column bytes is binary, not string"), wrongType.getMessage());
  }

  @Test
  void anUnknownTableIsAConfigError() {
    ConfigException e = assertThrows(ConfigException.class, () -> InputSource.candidates(spark,
        options("--input", "no_such_table", "--input-format", "table"), null));
    assertTrue(e.getMessage().contains("cannot read input no_such_table as table"), e.getMessage());
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
