package io.resnetspark.job.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.job.ExitCode;
import io.resnetspark.job.LabelImagesJob;
import io.resnetspark.job.ReportFiles;
import io.resnetspark.job.TestData;
import io.resnetspark.job.testing.FlakyFileSystem;
import io.resnetspark.job.testing.JobProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg and Delta outputs end to end, in this JVM on local[2] (a session created with both formats' SQL
 * extensions, as the job creates its own). Every table is read back with plain Spark SQL in a second session that
 * configures only a stock catalog: not with the job's code.
 */
class LakeTableTest {
  @TempDir
  static Path data;
  static SparkSession spark;
  /** Plain SQL, in a session of its own. */
  static SparkSession reader;

  /** Kept when a test fails: it holds the logs of the runs in JVMs of their own. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /** The two formats, as a test sees them: how to name the output and how plain SQL reads it. */
  enum Format {
    ICEBERG, DELTA;

    List<String> outputArgs(Path dir) {
      return this == ICEBERG
          ? List.of("--output-format", "iceberg", "--warehouse", dir.resolve("warehouse").toString(), "--output",
              "db.labels")
          : List.of("--output-format", "delta", "--output", dir.resolve("labels").toString());
    }

    String table(Path dir) {
      return this == ICEBERG ? IcebergLakeTable.CATALOG + ".db.labels" : "delta.`" + dir.resolve("labels") + "`";
    }

    /** Where the job writes the report: the table's directory. */
    Path reportDir(Path dir) {
      return this == ICEBERG ? dir.resolve("warehouse/db/labels") : dir.resolve("labels");
    }

    /** The snapshots (Iceberg) or versions (Delta) that hold data, oldest first. */
    List<String> snapshots(Path dir) {
      configure(dir);
      if (this == ICEBERG) {
        return reader.sql("SELECT CAST(snapshot_id AS STRING) FROM " + table(dir) + ".snapshots ORDER BY committed_at")
            .collectAsList().stream().map(r -> r.getString(0)).toList();
      }
      return reader.sql("DESCRIBE HISTORY " + table(dir)).where("operation <> 'CREATE TABLE'")
          .selectExpr("CAST(version AS STRING)").orderBy("version").collectAsList().stream()
          .map(r -> r.getString(0)).toList();
    }

    void configure(Path dir) {
      if (this == ICEBERG) {
        reader.conf().set("spark.sql.catalog." + IcebergLakeTable.CATALOG, "org.apache.iceberg.spark.SparkCatalog");
        reader.conf().set("spark.sql.catalog." + IcebergLakeTable.CATALOG + ".type", "hadoop");
        reader.conf().set("spark.sql.catalog." + IcebergLakeTable.CATALOG + ".cache-enabled", "false");
        reader.conf().set("spark.sql.catalog." + IcebergLakeTable.CATALOG + ".warehouse",
            dir.resolve("warehouse").toString());
      }
    }

    List<Row> rows(Path dir) {
      configure(dir);
      return reader.sql("SELECT * FROM " + table(dir) + " ORDER BY path").collectAsList();
    }
  }

  @BeforeAll
  static void session() {
    spark = SparkSession.builder().master("local[2]").appName("LakeTableTest")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config(LakeTable.EXTENSIONS, IcebergLakeTable.EXTENSION + "," + DeltaLakeTable.EXTENSION)
        .config(DeltaLakeTable.SESSION_CATALOG, DeltaLakeTable.DELTA_CATALOG)
        .config(FlakyFileSystem.IMPL_KEY, FlakyFileSystem.class.getName())
        .getOrCreate();
    TestData.model(4, 3);
  }

  /**
   * A session per test for the job (it uses the active one) and one for reading: a session keeps the catalogs it
   * has used, and each test has its own warehouse.
   */
  @BeforeEach
  void sessions() {
    SparkSession.setActiveSession(spark.newSession());
    reader = spark.newSession();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @AfterEach
  void readable() {
    FlakyFileSystem.UNREADABLE.clear();
  }

  record Run(int code, String out, String err) {
  }

  Run label(Format format, Path input, String... more) {
    List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--model",
        TestData.model(4, 3).toString(), "--batch-size", "4", "--top-k", "2"));
    args.addAll(format.outputArgs(dir));
    args.addAll(List.of(more));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LabelImagesJob.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    Run run = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    assertEquals(ExitCode.OK, code, run.out() + run.err());
    return run;
  }

  JsonNode report(Format format) throws IOException {
    return new ObjectMapper().readTree(format.reportDir(dir).resolve(ReportFiles.JSON).toFile());
  }

  static Map<String, Row> byName(List<Row> rows) {
    Map<String, Row> named = new TreeMap<>();
    for (Row row : rows) {
      String path = row.getAs("path");
      assertNull(named.put(path.substring(path.lastIndexOf("/images/") + "/images/".length()), row),
          "one row per file: " + path);
    }
    return named;
  }

  /** A file's key in {@link #byName}: its path below the images directory. */
  String name(Path file) {
    String path = file.toString();
    return path.substring(path.lastIndexOf("/images/") + "/images/".length());
  }

  static long dataFiles(Path tableDir) throws IOException {
    try (Stream<Path> files = Files.walk(tableDir)) {
      return files.filter(f -> f.toString().endsWith(".parquet")).count();
    }
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void incrementalRunsMergeNewChangedAndRemovedFilesAndLeaveTheRestAlone(Format format) throws Exception {
    Path images = dir.resolve("images");
    List<Path> good = TestData.goodImages(images, 4, 64, 5);
    TestData.badImages(images.resolve("bad"), false);
    Files.writeString(images.resolve("readme.txt"), "not an image");
    Files.writeString(images.resolve("IMG_1.HEIC"), "not decodable here");
    Files.writeString(images.resolve("IMG_2.heic"), "not decodable here");

    Run created = label(format, images, "--mode", "create", "--run-id", "monday");
    JsonNode first = report(format);
    assertEquals(7, first.at("/output/table/rows_inserted").asLong());
    assertEquals(0, first.at("/output/table/rows_unchanged").asLong());
    assertEquals(2, first.at("/input/not_labelled/heic").asLong());
    assertEquals(1, first.at("/input/not_labelled/txt").asLong());
    assertTrue(created.out().contains("not labelled: 2 .heic, 1 .txt (see --extensions)"), created.out());
    String monday = first.at("/output/table/snapshot").asText();
    assertEquals(List.of(monday), format.snapshots(dir));
    assertEquals(7, format.rows(dir).size());
    assertEquals(1, dataFiles(format.reportDir(dir)), "7 rows make one file, whatever the tasks");
    // The report's query reads the commit, as printed.
    assertTrue(created.out().contains(first.at("/output/table/query").asText()), created.out());
    assertEquals(7, reader.sql(first.at("/output/table/query").asText()).count());

    label(format, images, "--mode", "incremental", "--run-id", "noop");
    JsonNode noop = report(format);
    assertEquals("nothing_to_do", noop.at("/status").asText());
    assertEquals(7, noop.at("/output/table/rows_unchanged").asLong());
    assertTrue(noop.at("/output/table/snapshot").isMissingNode() || noop.at("/output/table/snapshot").isNull());
    assertEquals(List.of(monday), format.snapshots(dir), "a run with nothing to do commits nothing");

    TestData.goodImages(images.resolve("tuesday"), 1, 64, 6);
    Files.setLastModifiedTime(good.get(0), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
    Files.delete(good.get(1));
    Run dryRun = label(format, images, "--mode", "incremental", "--prune-missing", "--dry-run");
    JsonNode plan = new ObjectMapper().readTree(dryRun.out().strip().lines().reduce((a, b) -> b).orElseThrow());
    assertEquals("table", plan.at("/output_state").asText());
    assertEquals(2, plan.at("/counts/to_label").asLong(), "the new file and the changed one: " + dryRun.out());
    assertEquals(1, plan.at("/input/not_labelled/txt").asLong());
    assertEquals(List.of(monday), format.snapshots(dir), "a dry run commits nothing");
    Run tuesday = label(format, images, "--mode", "incremental", "--prune-missing", "--run-id", "tuesday");
    JsonNode merged = report(format);
    assertEquals(1, merged.at("/output/table/rows_inserted").asLong());
    assertEquals(1, merged.at("/output/table/rows_updated").asLong());
    assertEquals(1, merged.at("/output/table/rows_deleted").asLong());
    assertEquals(5, merged.at("/output/table/rows_unchanged").asLong());
    assertEquals(5, merged.at("/counts/skipped").asLong(), "unchanged files are not read");
    assertTrue(tuesday.out().contains("1 rows inserted, 1 updated, 1 deleted, 5 unchanged"), tuesday.out());
    Map<String, Row> rows = byName(format.rows(dir));
    assertEquals(7, rows.size());
    assertTrue(!rows.containsKey(name(good.get(1))), "the removed file's row is gone");
    Row touched = rows.get(name(good.get(0)));
    assertEquals("tuesday", touched.getAs("run_id"));
    assertEquals(Instant.parse("2030-01-01T00:00:00Z"), ((java.sql.Timestamp) touched.getAs("modification_time"))
        .toInstant());
    assertEquals(1, rows.values().stream().filter(r -> "tuesday".equals(r.getAs("run_id"))
        && ((String) r.getAs("path")).contains("tuesday")).count());
    assertEquals(5, rows.values().stream().filter(r -> "monday".equals(r.getAs("run_id"))).count());

    label(format, images, "--mode", "overwrite", "--run-id", "wednesday");
    List<String> snapshots = format.snapshots(dir);
    assertEquals(3, snapshots.size(), "create, merge, overwrite: one commit each");
    assertEquals(7, report(format).at("/output/table/rows_deleted").asLong());
    assertTrue(format.rows(dir).stream().allMatch(r -> "wednesday".equals(r.getAs("run_id"))));
    List<Row> before = reader.sql("SELECT run_id FROM " + format.table(dir) + " VERSION AS OF " + snapshots.get(1))
        .collectAsList();
    assertEquals(7, before.size());
    assertEquals(5, before.stream().filter(r -> "monday".equals(r.getString(0))).count(),
        "time travel reads the table as the merge left it");
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void aFileUnreadableInOneRunIsLabelledByTheNextAndKeepsItsAttemptCount(Format format) throws Exception {
    Path images = dir.resolve("images");
    List<Path> good = TestData.goodImages(images, 3, 64, 8);
    String flaky = name(good.get(0));
    String flakyName = good.get(0).getFileName().toString();
    String input = FlakyFileSystem.uri(images);
    FlakyFileSystem.UNREADABLE.add(flakyName);

    label(format, Path.of(input), "--mode", "incremental", "--max-attempts", "3", "--run-id", "r1");
    assertEquals("UNREADABLE", byName(format.rows(dir)).get(flaky).getAs("error_code"));
    label(format, Path.of(input), "--mode", "incremental", "--max-attempts", "3", "--run-id", "r2");
    assertEquals(1, report(format).at("/output/table/rows_updated").asLong(), "the error row was retried");
    Row second = byName(format.rows(dir)).get(flaky);
    assertEquals("UNREADABLE", second.getAs("error_code"));
    assertEquals(2, (int) second.getAs("attempts"));

    FlakyFileSystem.UNREADABLE.clear();
    label(format, Path.of(input), "--mode", "incremental", "--max-attempts", "3", "--run-id", "r3");
    Map<String, Row> rows = byName(format.rows(dir));
    assertEquals(3, rows.size());
    assertNull(rows.get(flaky).getAs("error_code"));
    assertEquals(3, (int) rows.get(flaky).getAs("attempts"));
    assertEquals("r3", rows.get(flaky).getAs("run_id"));
    assertNotEquals("r3", rows.get(name(good.get(1))).getAs("run_id"));

    FlakyFileSystem.UNREADABLE.add(good.get(2).getFileName().toString());
    Files.setLastModifiedTime(good.get(2), FileTime.from(Instant.parse("2031-01-01T00:00:00Z")));
    label(format, Path.of(input), "--mode", "incremental", "--max-attempts", "1", "--run-id", "r4");
    label(format, Path.of(input), "--mode", "incremental", "--max-attempts", "1", "--run-id", "r5");
    assertEquals("nothing_to_do", report(format).at("/status").asText(),
        "after --max-attempts runs a failing file counts as done");
    assertEquals("r4", byName(format.rows(dir)).get(name(good.get(2))).getAs("run_id"));
  }

  /** The job's arguments for a run in a JVM of its own against this test's table. */
  List<String> childArgs(Format format, Path input, String runId) {
    List<String> args = new ArrayList<>(List.of("--master", "local[1]", "--input", input.toString(), "--model",
        TestData.model(4, 3).toString(), "--batch-size", "1", "--top-k", "2", "--mode", "incremental",
        "--run-id", runId));
    args.addAll(format.outputArgs(dir));
    return args;
  }

  /**
   * A run killed with SIGKILL while it commits (its rows are labelled, the commit has begun) leaves the table at its
   * previous snapshot, and the next incremental run labels every file exactly once.
   */
  @ParameterizedTest
  @EnumSource(Format.class)
  void aRunKilledWhileItCommitsLeavesThePreviousSnapshot(Format format) throws Exception {
    Path images = dir.resolve("images");
    TestData.goodImages(images.resolve("monday"), 2, 64, 11);
    label(format, images, "--mode", "incremental", "--run-id", "monday");
    List<String> before = format.snapshots(dir);
    TestData.goodImages(images.resolve("tuesday"), 6, 64, 12);

    Path log = dir.resolve("killed.log");
    Process child = JobProcess.start(log, childArgs(format, images, "killed").toArray(String[]::new));
    try {
      long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
      // Logged when the rows are labelled and the commit starts.
      while (!Files.readString(log).contains("run killed: labelled 6 of 6 images")) {
        assertTrue(child.isAlive(), "the run ended before it could be killed:\n" + Files.readString(log));
        assertTrue(System.nanoTime() < deadline, "no commit within 4 minutes:\n" + Files.readString(log));
        Thread.sleep(10);
      }
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertTrue(!Files.readString(log).contains("run killed: committed"), "killed before its commit ended");
    assertEquals(before, format.snapshots(dir), "the table is at its previous snapshot");
    assertEquals(2, format.rows(dir).size());

    label(format, images, "--mode", "incremental", "--run-id", "rerun");
    Map<String, Row> rows = byName(format.rows(dir));
    assertEquals(8, rows.size(), "every file exactly once");
    assertEquals(6, rows.values().stream().filter(r -> "rerun".equals(r.getAs("run_id"))).count());
  }

  /**
   * Two runs started at the same moment on one table, labelling the same new files: each commits (the loser plans
   * its MERGE again on the winner's snapshot) or fails with one line, and the table holds one row per file.
   */
  @ParameterizedTest
  @EnumSource(Format.class)
  void twoConcurrentRunsNeverDuplicateARow(Format format) throws Exception {
    Path images = dir.resolve("images");
    TestData.goodImages(images.resolve("monday"), 2, 64, 13);
    label(format, images, "--mode", "incremental", "--run-id", "monday");
    TestData.goodImages(images.resolve("tuesday"), 3, 64, 14);

    Process a = JobProcess.start(dir.resolve("a.log"), childArgs(format, images, "a").toArray(String[]::new));
    Process b = JobProcess.start(dir.resolve("b.log"), childArgs(format, images, "b").toArray(String[]::new));
    List<Integer> codes = new ArrayList<>();
    for (Process p : List.of(a, b)) {
      try {
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "a run did not end within 15 minutes");
      } finally {
        p.destroyForcibly();
      }
      codes.add(p.exitValue());
    }
    String logs = Files.readString(dir.resolve("a.log")) + Files.readString(dir.resolve("b.log"));
    for (int code : codes) {
      assertTrue(code == ExitCode.OK || code == ExitCode.RUN_FAILED, "exit codes " + codes + ":\n" + logs);
    }
    assertTrue(codes.contains(ExitCode.OK), "at least one run commits: " + codes + "\n" + logs);
    if (codes.contains(ExitCode.RUN_FAILED)) {
      assertTrue(logs.lines().anyMatch(l -> l.startsWith("error: run ") && l.contains("concurrent writers")), logs);
    }
    Map<String, Row> rows = byName(format.rows(dir));
    assertEquals(5, rows.size(), "one row per file");
    assertEquals(3, rows.values().stream().filter(r -> !"monday".equals(r.getAs("run_id"))).count());
  }
}
