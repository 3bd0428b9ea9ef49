package io.resnetspark.job.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.job.ExitCode;
import io.resnetspark.job.LabelImagesJob;
import io.resnetspark.job.ReportFiles;
import io.resnetspark.job.TestData;
import io.resnetspark.job.testing.S3ATestConf;
import io.resnetspark.job.testing.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Iceberg (Hadoop catalog, warehouse on {@code s3a://}) and Delta tables on S3 (s3proxy on 127.0.0.1 with the
 * settings of conf/spark-s3a.conf): created, then merged with a new and a removed object, and read back with plain
 * SQL in a second session.
 */
class LakeTableS3Test {
  static final String BUCKET = S3ProxyServer.DEFAULT_BUCKET;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;
  static S3ProxyServer server;
  static SparkSession spark;
  SparkSession reader;

  @BeforeAll
  static void serverAndSession() {
    server = S3ProxyServer.start(dir.resolve("run"));
    SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("LakeTableS3Test")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config(LakeTable.EXTENSIONS, IcebergLakeTable.EXTENSION + "," + DeltaLakeTable.EXTENSION)
        .config(DeltaLakeTable.SESSION_CATALOG, DeltaLakeTable.DELTA_CATALOG);
    S3ATestConf.forServer(server).forEach(builder::config);
    spark = builder.getOrCreate();
    server.uploadDirectory(TestData.model(4, 3), BUCKET, "models/r18");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void sessions() {
    SparkSession.setActiveSession(spark.newSession());
    reader = spark.newSession();
  }

  static void label(List<String> more) {
    List<String> args = new ArrayList<>(List.of("--model", "s3a://" + BUCKET + "/models/r18", "--batch-size", "4",
        "--top-k", "2", "--mode", "incremental"));
    args.addAll(more);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LabelImagesJob.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(ExitCode.OK, code, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @EnumSource(value = LakeTableTest.Format.class)
  void aTableOnS3IsCreatedThenMergedWithNewAndRemovedObjects(LakeTableTest.Format format) throws Exception {
    String prefix = "lake-" + format.name().toLowerCase();
    TestData.goodImages(dir.resolve(prefix + "/images"), 3, 64, 31);
    List<String> keys = server.uploadDirectory(dir.resolve(prefix + "/images"), BUCKET, prefix + "/images");
    String input = "s3a://" + BUCKET + "/" + prefix + "/images";
    String table;
    List<String> output;
    String tableDir;
    if (format == LakeTableTest.Format.ICEBERG) {
      String warehouse = "s3a://" + BUCKET + "/" + prefix + "/warehouse";
      output = List.of("--output-format", "iceberg", "--warehouse", warehouse, "--output", "db.labels");
      reader.conf().set("spark.sql.catalog.s3lake", "org.apache.iceberg.spark.SparkCatalog");
      reader.conf().set("spark.sql.catalog.s3lake.type", "hadoop");
      reader.conf().set("spark.sql.catalog.s3lake.cache-enabled", "false");
      reader.conf().set("spark.sql.catalog.s3lake.warehouse", warehouse);
      table = "s3lake.db.labels";
      tableDir = prefix + "/warehouse/db/labels";
    } else {
      output = List.of("--output-format", "delta", "--output", "s3a://" + BUCKET + "/" + prefix + "/labels");
      table = "delta.`s3a://" + BUCKET + "/" + prefix + "/labels`";
      tableDir = prefix + "/labels";
    }
    List<String> args = new ArrayList<>(List.of("--input", input));
    args.addAll(output);
    label(args);
    assertEquals(3, reader.sql("SELECT * FROM " + table).count());

    server.putObject(BUCKET, prefix + "/images/new/extra.png", java.nio.file.Files.readAllBytes(
        TestData.goodImages(dir.resolve(prefix + "/more"), 1, 64, 32).get(0)));
    server.client().deleteObject(b -> b.bucket(BUCKET).key(keys.get(0)));
    args.add("--prune-missing");
    label(args);
    JsonNode report = new ObjectMapper().readTree(server.getObject(BUCKET, tableDir + "/" + ReportFiles.JSON));
    assertEquals(1, report.at("/output/table/rows_inserted").asLong());
    assertEquals(1, report.at("/output/table/rows_deleted").asLong());
    assertEquals(2, report.at("/output/table/rows_unchanged").asLong());
    List<Row> rows = reader.sql("SELECT path, count(*) FROM " + table + " GROUP BY path").collectAsList();
    assertEquals(3, rows.size());
    assertTrue(rows.stream().allMatch(r -> r.getLong(1) == 1), "one row per object");
    assertTrue(rows.stream().noneMatch(r -> r.getString(0).endsWith(keys.get(0))), "the removed object's row is gone");
    assertTrue(rows.stream().anyMatch(r -> r.getString(0).endsWith("new/extra.png")));
    assertEquals(3, reader.sql(report.at("/output/table/query").asText().replace(IcebergLakeTable.CATALOG + ".",
        "s3lake.")).count(), "the report's time-travel query reads the commit");
  }
}
