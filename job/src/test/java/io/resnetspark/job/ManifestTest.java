package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests as the job reads them: S3 Inventory reports (CSV gzip and Parquet, found through their
 * {@code manifest.json}) and plain tables of paths, with the keys a lake really holds (spaces, unicode, {@code %}),
 * and the one-line configuration errors of manifests that cannot be used.
 */
@ExtendWith(TestSpark.class)
class ManifestTest {
  static final long MODIFIED = Timestamp.valueOf("2026-01-02 03:04:05").getTime();

  @TempDir
  Path dir;

  final SparkSession spark = TestSpark.session();

  JobOptions options(String input, String... more) {
    List<String> args = new ArrayList<>(List.of("--output", dir.resolve("out").toString(), "--model", "/m",
        "--input-format", "manifest", "--input", input));
    args.addAll(List.of(more));
    return JobCommandLine.parse(args.toArray(String[]::new)).options();
  }

  /** path -> length, and the modification times seen. */
  static Map<String, Long> lengths(Dataset<Row> rows) {
    Map<String, Long> byPath = new TreeMap<>();
    for (Row r : rows.collectAsList()) {
      byPath.put(r.getString(0), r.isNullAt(2) ? null : r.getLong(2));
    }
    return byPath;
  }

  static String inventoryManifest(String format, String fileSchema, String... keys) {
    StringBuilder files = new StringBuilder();
    for (String key : keys) {
      files.append(files.length() == 0 ? "" : ",").append("{\"key\": \"").append(key)
          .append("\", \"size\": 100, \"MD5checksum\": \"0\"}");
    }
    return "{\"sourceBucket\": \"lake\", \"destinationBucket\": \"arn:aws:s3:::inventory\", \"version\": "
        + "\"2016-11-30\", \"creationTimestamp\": \"1767312000000\", \"fileFormat\": \"" + format + "\", "
        + "\"fileSchema\": \"" + fileSchema + "\", \"files\": [" + files + "]}";
  }

  static void gzip(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** An inventory laid out as AWS writes it: prefix/source-bucket/config/data/... and .../date/manifest.json. */
  @Test
  void csvInventoryKeysAreUrlDecodedAndOnlyImagesOfTheLatestVersionsAreKept() throws IOException {
    Path config = dir.resolve("inv/lake/daily");
    gzip(config.resolve("data/part-1.csv.gz"), String.join("\n",
        "\"lake\",\"photos/a%20b.jpg\",\"10\",\"2026-01-02T03:04:05.000Z\",\"true\",\"false\"",
        "\"lake\",\"photos/caf%C3%A9+au+lait.PNG\",\"20\",\"2026-01-02T03:04:05.000Z\",\"true\",\"false\"",
        "\"lake\",\"photos/100%25.jpeg\",\"0\",\"2026-01-02T03:04:05.000Z\",\"true\",\"false\"",
        "\"lake\",\"photos/old.jpg\",\"30\",\"2025-01-02T03:04:05.000Z\",\"false\",\"false\"",
        "\"lake\",\"photos/deleted.jpg\",\"\",\"2026-01-02T03:04:05.000Z\",\"true\",\"true\"",
        "\"lake\",\"docs/readme.txt\",\"5\",\"2026-01-02T03:04:05.000Z\",\"true\",\"false\"") + "\n");
    gzip(config.resolve("data/part-2.csv.gz"),
        "\"lake\",\"photos/%E5%86%99%E7%9C%9F/x.jpg\",\"40\",\"2026-01-02T03:04:05.000Z\",\"true\",\"false\"\n");
    Path manifest = config.resolve("2026-01-02T00-00Z/manifest.json");
    Files.createDirectories(manifest.getParent());
    Files.writeString(manifest, inventoryManifest("CSV",
        "Bucket, Key, Size, LastModifiedDate, IsLatest, IsDeleteMarker",
        "inv/lake/daily/data/part-1.csv.gz", "inv/lake/daily/data/part-2.csv.gz"));

    Dataset<Row> rows = Manifest.candidates(spark, options(manifest.toString()));
    assertEquals(ContentReader.INPUT_SCHEMA.fieldNames().length, rows.columns().length);
    Map<String, Long> expected = new TreeMap<>(Map.of(
        "s3a://lake/photos/a b.jpg", 10L,
        "s3a://lake/photos/café au lait.PNG", 20L,
        "s3a://lake/photos/100%.jpeg", 0L,
        "s3a://lake/photos/写真/x.jpg", 40L));
    assertEquals(expected, lengths(rows));
    Row one = rows.where("path = 's3a://lake/photos/a b.jpg'").first();
    assertEquals(Instant.parse("2026-01-02T03:04:05Z").toEpochMilli(), one.getTimestamp(1).getTime());
  }

  @Test
  void parquetInventoryKeysAreTakenAsTheyAre() throws IOException {
    StructType schema = new StructType().add("bucket", DataTypes.StringType).add("key", DataTypes.StringType)
        .add("size", DataTypes.LongType).add("last_modified_date", DataTypes.TimestampType);
    Path data = dir.resolve("inv/lake/daily/data/part.parquet");
    spark.createDataFrame(List.of(
            RowFactory.create("lake", "a b/c%20d.jpg", 7L, new Timestamp(MODIFIED)),
            RowFactory.create("lake", "é.png", 8L, new Timestamp(MODIFIED))), schema)
        .coalesce(1).write().mode(SaveMode.Overwrite).parquet(data.toString());
    String part = Files.list(data).filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow()
        .getFileName().toString();
    Path manifest = dir.resolve("inv/lake/daily/2026-01-02T00-00Z/manifest.json");
    Files.createDirectories(manifest.getParent());
    Files.writeString(manifest, inventoryManifest("Parquet",
        "message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); }",
        "inv/lake/daily/data/part.parquet/" + part));

    Dataset<Row> rows = Manifest.candidates(spark, options(manifest.toString()));
    assertEquals(new TreeMap<>(Map.of("s3a://lake/a b/c%20d.jpg", 7L, "s3a://lake/é.png", 8L)), lengths(rows));
    assertEquals(MODIFIED, rows.first().getTimestamp(1).getTime());
  }

  @Test
  void aCsvTableOfPathsGivesPathTimeAndLengthAndKeepsEachPathOnce() throws IOException {
    Path table = dir.resolve("paths.csv");
    Files.writeString(table, "path,modification_time,length,owner\n"
        + "file:/lake/a b.jpg,2026-01-02 03:04:05,12,x\n"
        + "file:/lake/ünï.png,2026-01-02 03:04:05,13,x\n"
        + "file:/lake/ünï.png,2026-01-02 03:04:05,13,x\n"
        + "file:/lake/notes.txt,2026-01-02 03:04:05,14,x\n");
    Dataset<Row> rows = Manifest.candidates(spark, options(table.toString()));
    assertEquals(new TreeMap<>(Map.of("file:/lake/a b.jpg", 12L, "file:/lake/ünï.png", 13L)), lengths(rows));
    assertEquals(MODIFIED, rows.first().getTimestamp(1).getTime());
  }

  @Test
  void aJsonTableWithItsOwnColumnNamesAndEpochMillis() throws IOException {
    Path table = dir.resolve("paths/part-0.json");
    Files.createDirectories(table.getParent());
    Files.writeString(table, "{\"uri\": \"s3a://b/x%y.jpg\", \"mtime\": " + MODIFIED + ", \"bytes\": 5}\n"
        + "{\"uri\": \"s3a://b/y.jpg\", \"mtime\": " + MODIFIED + ", \"bytes\": 6}\n");
    Dataset<Row> rows = Manifest.candidates(spark, options(table.getParent().toString(), "--path-column", "uri",
        "--modification-time-column", "mtime", "--length-column", "bytes"));
    assertEquals(new TreeMap<>(Map.of("s3a://b/x%y.jpg", 5L, "s3a://b/y.jpg", 6L)), lengths(rows));
    assertEquals(MODIFIED, rows.first().getTimestamp(1).getTime());
  }

  @Test
  void aParquetTableWithOnlyPathsHasNullTimesAndLengths() {
    Path table = dir.resolve("paths.parquet");
    spark.createDataFrame(List.of(RowFactory.create("file:/lake/p.jpg")),
        new StructType().add("path", DataTypes.StringType)).write().parquet(table.toString());
    Row row = Manifest.candidates(spark, options(table.toString())).first();
    assertEquals("file:/lake/p.jpg", row.getString(0));
    assertNull(row.get(1));
    assertNull(row.get(2));
  }

  @Test
  void badManifestsAreOneLineConfigurationErrors() throws IOException {
    Path noPath = dir.resolve("no-path.csv");
    Files.writeString(noPath, "file,length\n/a.jpg,1\n");
    assertMessage(noPath.toString(), "has no column 'path' (--path-column); its columns are file, length");

    Path table = dir.resolve("t.csv");
    Files.writeString(table, "path\n/a.jpg\n");
    assertMessage(table.toString(), "has no column 'mtime' (--modification-time-column)",
        "--modification-time-column", "mtime");

    Path garbage = dir.resolve("garbage.parquet");
    Files.writeString(garbage, "not parquet at all");
    assertMessage(garbage.toString(), "cannot read manifest " + garbage);

    assertMessage(dir.resolve("absent.csv").toString(), "does not exist");

    Path manifest = dir.resolve("inv/2026-01-02T00-00Z/manifest.json");
    Files.createDirectories(manifest.getParent());
    Files.writeString(manifest, inventoryManifest("CSV", "Bucket, Key, Size", "inv/data/gone.csv.gz"));
    assertMessage(manifest.toString(), "names data file inv/data/gone.csv.gz, which does not exist");

    gzip(dir.resolve("inv/data/nokey.csv.gz"), "\"lake\",\"10\"\n");
    Files.writeString(manifest, inventoryManifest("CSV", "Bucket, Size", "inv/data/nokey.csv.gz"));
    assertMessage(manifest.toString(), "has no key column");

    Files.writeString(manifest, "{\"fileFormat\": \"XML\", \"files\": []}");
    assertMessage(manifest.toString(), "has fileFormat 'XML'");
  }

  void assertMessage(String input, String expected, String... more) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Manifest.candidates(spark, options(input, more)).collectAsList());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void parquetColumnNamesOfCsvHeaders() {
    assertEquals("last_modified_date", Manifest.parquetName("LastModifiedDate"));
    assertEquals("is_delete_marker", Manifest.parquetName("IsDeleteMarker"));
    assertEquals("key", Manifest.parquetName("Key"));
  }
}
