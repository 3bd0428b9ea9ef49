package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.job.testing.S3ATestConf;
import io.resnetspark.job.testing.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with images, model and output all on S3 (s3proxy on 127.0.0.1, the settings of conf/spark-s3a.conf):
 * the model is packed from s3a, rows are committed by the S3A magic committer, the report is written through
 * Hadoop's file system API, and incremental runs read the table back from S3.
 */
class LabelImagesJobS3Test {
  static final String BUCKET = S3ProxyServer.DEFAULT_BUCKET;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;
  static S3ProxyServer server;
  static SparkSession spark;

  @BeforeAll
  static void serverAndSession() throws IOException {
    server = S3ProxyServer.start(dir.resolve("run"));
    SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("LabelImagesJobS3Test")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2");
    S3ATestConf.forServer(server).forEach(builder::config);
    spark = builder.getOrCreate();
    server.uploadDirectory(TestData.model(), BUCKET, "models/resnet18");
    TestData.goodImages(dir.resolve("images"), 5, 41);
    TestData.badImages(dir.resolve("images/bad"));
    // The sparse file over the size limit would be 64 MB of real upload; the local tests cover it.
    Files.delete(dir.resolve("images/bad/huge.jpg"));
    server.uploadDirectory(dir.resolve("images"), BUCKET, "lake/images");
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

  static int run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = LabelImagesJob.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    System.out.print(out.toString(StandardCharsets.UTF_8));
    return code;
  }

  @Test
  void labelsImagesOnS3IntoATableOnS3() throws Exception {
    String[] args = {"--input", "s3a://" + BUCKET + "/lake/images", "--model", "s3a://" + BUCKET + "/models/resnet18",
        "--output", "s3a://" + BUCKET + "/lake/labels", "--mode", "incremental", "--top-k", "3", "--batch-size", "4"};
    assertEquals(ExitCode.OK, run(args));
    assertEquals(8, new OutputTable("s3a://" + BUCKET + "/lake/labels", JobOptions.OutputFormat.PARQUET)
        .read(spark).count(), "5 images and 3 bad files");

    JsonNode success = new ObjectMapper().readTree(server.getObject(BUCKET, "lake/labels/_SUCCESS"));
    assertEquals("magic", success.at("/committer").asText(), "committed by the S3A magic committer: " + success);
    JsonNode report = new ObjectMapper().readTree(server.getObject(BUCKET, "lake/labels/" + ReportFiles.JSON));
    assertEquals(8, report.at("/counts/rows_written").asLong());
    assertEquals(3, report.at("/counts/errors").asLong());
    assertEquals("s3a://" + BUCKET + "/models/resnet18", report.at("/model/path").asText());
    assertTrue(server.getObject(BUCKET, "lake/labels/" + ReportFiles.PNG).length > 1000);

    List<String> before = server.listKeys(BUCKET, "lake/labels/");
    assertEquals(ExitCode.OK, run(args));
    JsonNode again = new ObjectMapper().readTree(server.getObject(BUCKET, "lake/labels/" + ReportFiles.JSON));
    assertEquals(8, again.at("/counts/skipped").asLong(), "a second run finds every file labelled, on S3 too");
    assertEquals(before.stream().filter(k -> k.endsWith(".parquet")).toList(),
        server.listKeys(BUCKET, "lake/labels/").stream().filter(k -> k.endsWith(".parquet")).toList(),
        "and writes no data file");
  }

  /**
   * An S3 Inventory report (CSV, gzip) on the server names the objects: keys with a space and unicode, URL-encoded
   * as AWS writes them, and one object deleted since the report was made, which gets an UNREADABLE row.
   */
  @Test
  void labelsTheObjectsAnInventoryReportNames() throws Exception {
    byte[] image = Files.readAllBytes(TestData.goodImages(dir.resolve("manifested"), 1, 42).get(0));
    server.putObject(BUCKET, "inventoried/a b.jpg", image);
    server.putObject(BUCKET, "inventoried/café.jpg", image);
    server.putObject(BUCKET, "inventoried/not-in-the-report.jpg", image);
    String csv = String.join("\n",
        "\"" + BUCKET + "\",\"inventoried/a%20b.jpg\",\"" + image.length + "\",\"2026-01-02T03:04:05.000Z\"",
        "\"" + BUCKET + "\",\"inventoried/caf%C3%A9.jpg\",\"" + image.length + "\",\"2026-01-02T03:04:05.000Z\"",
        "\"" + BUCKET + "\",\"inventoried/deleted+since.jpg\",\"10\",\"2026-01-02T03:04:05.000Z\"") + "\n";
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(csv.getBytes(StandardCharsets.UTF_8));
    }
    server.putObject(BUCKET, "inventory/" + BUCKET + "/daily/data/part-0.csv.gz", gz.toByteArray());
    String manifestKey = "inventory/" + BUCKET + "/daily/2026-01-02T00-00Z/manifest.json";
    server.putObject(BUCKET, manifestKey, ManifestTest.inventoryManifest("CSV",
            "Bucket, Key, Size, LastModifiedDate", "inventory/" + BUCKET + "/daily/data/part-0.csv.gz")
        .replace("arn:aws:s3:::inventory", "arn:aws:s3:::" + BUCKET).getBytes(StandardCharsets.UTF_8));

    String output = "s3a://" + BUCKET + "/lake/inventoried-labels";
    assertEquals(ExitCode.OK, run("--input-format", "manifest", "--input", "s3a://" + BUCKET + "/" + manifestKey,
        "--model", "s3a://" + BUCKET + "/models/resnet18", "--output", output, "--top-k", "3"));
    Map<String, String> codes = new TreeMap<>();
    for (Row row : new OutputTable(output, JobOptions.OutputFormat.PARQUET).read(spark)
        .collectAsList()) {
      codes.put(row.getString(0), String.valueOf(row.getString(row.fieldIndex(OutputTable.ERROR_CODE))));
    }
    assertEquals(Map.of(
        "s3a://" + BUCKET + "/inventoried/a b.jpg", "null",
        "s3a://" + BUCKET + "/inventoried/café.jpg", "null",
        "s3a://" + BUCKET + "/inventoried/deleted since.jpg", "UNREADABLE"), codes,
        "the objects the report names, and only those; the deleted one unreadable");
  }
}
