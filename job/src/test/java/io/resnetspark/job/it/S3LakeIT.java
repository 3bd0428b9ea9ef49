package io.resnetspark.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.ExitCode;
import io.resnetspark.job.OutputTable;
import io.resnetspark.job.ReportFiles;
import io.resnetspark.job.RunReport;
import io.resnetspark.job.testing.ProjectFiles;
import io.resnetspark.job.testing.S3ATestConf;
import io.resnetspark.job.testing.S3ProxyServer;
import io.resnetspark.udf.distribution.ModelBroadcasts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a data lake in a real S3 server (s3proxy on 127.0.0.1, its own JVM) through hadoop-aws with the
 * settings of {@code conf/spark-s3a.conf}: images, the SavedModel and the labels table all on {@code s3a://}, driver
 * and executor in one local[2] JVM. Local mode retries no task, so a storage failure fails the run at once.
 */
class S3LakeIT {
  static final String BUCKET = S3ProxyServer.DEFAULT_BUCKET;
  static final int GOOD = 10;
  /** The slow set for the outage: enough single-image batches that the run is still writing when S3 goes away. */
  static final int SLOW_IMAGES = 36;
  static final int SLOW_PARTITIONS = 12;
  /** conf/spark-s3a.conf bounds each failed S3 call to seconds; this is the most a failed run may take after it. */
  static final Duration OUTAGE_BOUND = Duration.ofSeconds(120);

  /** Kept when a test fails: it holds the server's log. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path runDir;

  static S3ProxyServer server;
  static SparkSession spark;
  /** Expected error code by s3a path; good images map to null. */
  static Map<String, String> lake;
  static Map<String, Long> sizes;

  @BeforeAll
  static void startTheLake() {
    long begin = System.nanoTime();
    server = S3ProxyServer.start(runDir);
    Path images = runDir.resolve("images");
    TestInputs.goodImages(images, GOOD, 1);
    Map<String, String> bad = TestInputs.badImages(images.resolve("bad"));
    lake = new TreeMap<>();
    sizes = new HashMap<>();
    for (String key : server.uploadDirectory(images, BUCKET, "lake/images")) {
      String name = key.substring(key.lastIndexOf('/') + 1);
      lake.put(s3a(key), bad.get(name));
      sizes.put(s3a(key), (long) server.getObject(BUCKET, key).length);
    }
    server.uploadDirectory(TestInputs.model(), BUCKET, "models/r18");
    spark = session();
    System.out.printf("[timing] S3LakeIT setup (s3proxy, model build, uploads, Spark): %d ms%n", millisSince(begin));
  }

  @AfterAll
  static void stopTheLake() throws IOException {
    try {
      if (spark != null) {
        spark.stop();
      }
      FileSystem.closeAll();
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  static SparkSession session() {
    SparkSession.Builder builder = SparkSession.builder()
        .master("local[2]")
        .appName("S3LakeIT")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4");
    S3ATestConf.forServer(server).forEach(builder::config);
    // One session with one key pair per class: S3A's file system cache can be on, as in production (without it
    // every file read creates a client); @AfterAll empties it for the next class's server.
    builder.config(S3ATestConf.DISABLE_CACHE, "false");
    return builder.getOrCreate();
  }

  static String s3a(String key) {
    return "s3a://" + BUCKET + "/" + key;
  }

  static JobRun label(String input, String output, String... more) {
    return JobRun.of(arguments(input, output, more));
  }

  static List<String> arguments(String input, String output, String... more) {
    List<String> args = new ArrayList<>(List.of("--input", input, "--model", s3a("models/r18"), "--output", output,
        "--top-k", "2"));
    if (!List.of(more).contains("--batch-size")) {
      args.addAll(List.of("--batch-size", "4"));
    }
    args.addAll(List.of(more));
    return args;
  }

  static RunReport report(String outputKey) throws IOException {
    return RunReport.fromJson(new String(server.getObject(BUCKET, outputKey + "/" + ReportFiles.JSON),
        StandardCharsets.UTF_8));
  }

  static List<Row> readBack(String output) {
    return spark.read().parquet(output).collectAsList();
  }

  static String path(Row row) {
    return row.getString(row.fieldIndex(OutputTable.PATH));
  }

  /** Rows by path, failing on a path that has two rows. */
  static Map<String, Row> byPath(List<Row> rows) {
    Map<String, Row> byPath = new TreeMap<>();
    for (Row row : rows) {
      Row previous = byPath.put(path(row), row);
      assertNull(previous, "two rows for " + path(row));
    }
    return byPath;
  }

  /** One row per expected file, each as the file and the model say; returns the run id of each path. */
  static Map<String, String> assertOneCorrectRowPerFile(List<Row> rows, Map<String, String> expected, String sha256) {
    Map<String, Row> byPath = byPath(rows);
    assertEquals(expected.keySet(), byPath.keySet(), "one row per input file, no other rows");
    Map<String, String> runIds = new TreeMap<>();
    for (Map.Entry<String, String> file : expected.entrySet()) {
      Row row = byPath.get(file.getKey());
      String name = file.getKey();
      assertEquals(sizes.get(name), row.getLong(row.fieldIndex(OutputTable.LENGTH)), name);
      assertNotNull(row.getTimestamp(row.fieldIndex(OutputTable.MODIFICATION_TIME)), name);
      assertEquals("resnet18", row.getString(row.fieldIndex(OutputTable.MODEL_ARCH)), name);
      assertEquals(sha256, row.getString(row.fieldIndex(OutputTable.MODEL_SHA256)), name);
      assertNotNull(row.getTimestamp(row.fieldIndex(OutputTable.PROCESSED_AT)), name);
      String code = row.getString(row.fieldIndex(OutputTable.ERROR_CODE));
      String message = row.getString(row.fieldIndex(OutputTable.ERROR_MESSAGE));
      if (file.getValue() != null) {
        assertEquals(file.getValue(), code, name + ": " + message);
        assertNotNull(message, name);
        assertNull(row.get(row.fieldIndex(OutputTable.LABEL)), name);
        assertNull(row.get(row.fieldIndex(OutputTable.PROBABILITY)), name);
      } else {
        assertNull(code, name + ": " + message);
        String label = row.getString(row.fieldIndex(OutputTable.LABEL));
        int index = row.getInt(row.fieldIndex(OutputTable.INDEX));
        assertEquals(TestInputs.LABELS.get(index), label, name);
        float probability = row.getFloat(row.fieldIndex(OutputTable.PROBABILITY));
        assertTrue(probability >= 1f / TestInputs.CLASSES && probability <= 1f, name + ": " + probability);
        List<Row> topK = row.getList(row.fieldIndex(OutputTable.TOP_K));
        assertEquals(2, topK.size(), name);
        assertEquals(index, topK.get(0).getInt(0), name);
        assertEquals(probability, topK.get(0).getFloat(2), name);
        assertTrue(topK.get(1).getFloat(2) <= probability, name);
      }
      runIds.put(name, row.getString(row.fieldIndex(OutputTable.RUN_ID)));
    }
    return runIds;
  }

  @Test
  void labelsALakeOnS3InOverwriteThenIncrementalModeWithTheModelReadFromS3() throws IOException {
    String output = s3a("lake/labels");
    String localModelSha = ModelBroadcasts.get(spark, TestInputs.model().toUri().toString()).sha256();

    JobRun first = label(s3a("lake/images/"), output, "--mode", "overwrite", "--run-id", "first");
    System.out.printf("[timing] S3 overwrite run of %d files: %d ms%n%s", lake.size(), first.wall().toMillis(),
        first.out());

    assertEquals(ExitCode.OK, first.exitCode(), first.transcript());
    RunReport report = report("lake/labels");
    assertEquals(s3a("models/r18"), report.model().path(), "the SavedModel was read from S3");
    assertEquals(localModelSha, report.model().sha256(), "bit for bit the model that was uploaded");
    Map<String, String> runIds = assertOneCorrectRowPerFile(readBack(output), lake, localModelSha);
    assertEquals(Set.of("first"), Set.copyOf(runIds.values()));
    assertEquals(lake.size(), report.counts().inputsSeen());
    assertEquals(GOOD, report.counts().labelled());
    assertEquals(lake.size() - GOOD, report.counts().errors());
    assertTrue(server.listKeys(BUCKET, "lake/labels/").contains("lake/labels/_SUCCESS"));

    // New images arrive; the nightly run labels only those.
    Path arrivals = runDir.resolve("arrivals");
    TestInputs.goodImages(arrivals, 3, 2);
    Map<String, String> grown = new TreeMap<>(lake);
    for (String key : server.uploadDirectory(arrivals, BUCKET, "lake/images/new")) {
      grown.put(s3a(key), null);
      sizes.put(s3a(key), (long) server.getObject(BUCKET, key).length);
    }
    JobRun second = label(s3a("lake/images/"), output, "--mode", "incremental", "--run-id", "second");
    System.out.printf("[timing] S3 incremental run adding 3 of %d files: %d ms%n", grown.size(),
        second.wall().toMillis());

    assertEquals(ExitCode.OK, second.exitCode(), second.transcript());
    RunReport incremental = report("lake/labels");
    assertEquals(grown.size(), incremental.counts().inputsSeen());
    assertEquals(lake.size(), incremental.counts().skipped());
    assertEquals(3, incremental.counts().rowsWritten());
    Map<String, String> grownRunIds = assertOneCorrectRowPerFile(readBack(output), grown, localModelSha);
    grown.keySet().forEach(p -> assertEquals(lake.containsKey(p) ? "first" : "second", grownRunIds.get(p),
        p + ": earlier rows stay as they were, new files get this run's rows"));
  }

  @Test
  void credentialsNeverAppearInOutputLogsReportOrConfigurationFiles() throws IOException {
    String secret = server.credentials().secretKey();
    JobRun run;
    String logged;
    try (LogCapture log = LogCapture.at(Level.INFO)) {
      run = label(s3a("lake/images/bad/"), s3a("secrets/labels"), "--mode", "overwrite", "--show-rows", "3");
      logged = log.text();
    }
    assertEquals(ExitCode.OK, run.exitCode(), run.transcript());
    assertTrue(logged.contains("labelling " + (lake.size() - GOOD) + " images"), "the capture saw the run: " + logged);

    assertFalse(run.out().contains(secret), "stdout");
    assertFalse(run.err().contains(secret), "stderr");
    assertFalse(logged.contains(secret), "log output at INFO");
    List<String> written = server.listKeys(BUCKET, "secrets/labels/");
    assertTrue(written.contains("secrets/labels/" + ReportFiles.JSON), written.toString());
    for (String key : written) {
      assertFalse(new String(server.getObject(BUCKET, key), StandardCharsets.ISO_8859_1).contains(secret), key);
    }
    List<Path> configFiles = new ArrayList<>(TestInputs.files(ProjectFiles.root().resolve("conf")));
    configFiles.add(runDir.resolve("s3/spark-s3a.conf"));
    for (Path file : configFiles) {
      assertFalse(Files.readString(file, StandardCharsets.ISO_8859_1).contains(secret), file.toString());
    }
  }

  @Test
  void anS3OutageDuringTheWriteFailsTheRunInBoundedTimeAndAnIncrementalRerunCompletesTheTable() throws Exception {
    Path images = runDir.resolve("slow");
    TestInputs.goodImages(images, SLOW_IMAGES, 3);
    Map<String, String> slow = new TreeMap<>();
    for (String key : server.uploadDirectory(images, BUCKET, "slow/images")) {
      slow.put(s3a(key), null);
      sizes.put(s3a(key), (long) server.getObject(BUCKET, key).length);
    }
    String output = s3a("slow/labels");
    LabellingProgress progress = new LabellingProgress(SLOW_PARTITIONS);
    spark.sparkContext().addSparkListener(progress);
    JobRun failed;
    Duration failedAfter;
    try {
      CompletableFuture<JobRun> running = JobRun.start(arguments(s3a("slow/images/"), output,
          "--mode", "overwrite", "--run-id", "cut-off", "--batch-size", "1", "--partitions",
          Integer.toString(SLOW_PARTITIONS)));
      if (!progress.awaitFirstPartitionWritten(3, TimeUnit.MINUTES, () -> !running.isDone())) {
        throw new AssertionError("no partition was written while the run went on: "
            + (running.isDone() ? running.get().transcript() : "still running"));
      }
      long stopping = System.nanoTime();
      server.stop();
      failed = running.get(5, TimeUnit.MINUTES);
      failedAfter = Duration.ofNanos(System.nanoTime() - stopping);
    } finally {
      spark.sparkContext().removeSparkListener(progress);
      if (!server.isRunning()) {
        server.restart();
      }
    }
    System.out.printf("[timing] run failed %d ms after the S3 server was told to stop: %s",
        failedAfter.toMillis(), failed.err());

    assertEquals(ExitCode.RUN_FAILED, failed.exitCode(), failed.transcript());
    assertTrue(failedAfter.compareTo(OUTAGE_BOUND) < 0, "bounded by conf/spark-s3a.conf: " + failedAfter);
    List<String> errorLines = failed.err().lines().toList();
    assertEquals(1, errorLines.size(), "one line: " + failed.err());
    assertTrue(errorLines.get(0).startsWith("error: run cut-off failed, nothing of it was committed: "),
        errorLines.get(0));
    assertTrue(errorLines.get(0).contains("Connection refused"), "says why: " + errorLines.get(0));

    // Only the committer's staging area (__magic, skipped by readers like every _-prefixed name) and S3A's empty
    // directory markers may remain: no _SUCCESS, no data file, no report.
    List<String> left = server.listKeys(BUCKET, "slow/labels/");
    List<String> visible = left.stream().filter(k -> !k.contains("/__magic") && !k.endsWith("/")).toList();
    assertEquals(List.of(), visible, "nothing visible of the failed run; all keys: " + left);
    AnalysisException nothingToRead = assertThrows(AnalysisException.class, () -> readBack(output));
    assertTrue(Set.of("UNABLE_TO_INFER_SCHEMA", "PATH_NOT_FOUND").contains(nothingToRead.getErrorClass()),
        nothingToRead.getMessage());

    JobRun rerun = label(s3a("slow/images/"), output, "--mode", "incremental", "--run-id", "rerun",
        "--batch-size", "1", "--partitions", Integer.toString(SLOW_PARTITIONS));
    System.out.printf("[timing] incremental re-run after the outage: %d ms%n%s", rerun.wall().toMillis(),
        rerun.out());

    assertEquals(ExitCode.OK, rerun.exitCode(), rerun.transcript());
    String sha = report("slow/labels").model().sha256();
    Map<String, String> runIds = assertOneCorrectRowPerFile(readBack(output), slow, sha);
    assertEquals(Set.of("rerun"), Set.copyOf(runIds.values()));
    assertTrue(server.listKeys(BUCKET, "slow/labels/").contains("slow/labels/_SUCCESS"));

    JobRun again = label(s3a("slow/images/"), output, "--mode", "incremental", "--run-id", "again");
    assertEquals(ExitCode.OK, again.exitCode(), again.transcript());
    assertEquals(RunReport.STATUS_NOTHING_TO_DO, report("slow/labels").status(), "the table is complete");
    assertEquals(slow.size(), readBack(output).size());
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
