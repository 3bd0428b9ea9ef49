package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.job.testing.FlakyFileSystem;
import io.resnetspark.job.testing.JobProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job end to end, in this JVM on local[2]: a ResNet-18 labels a small image set with some bad files. What a
 * data engineer relies on: one row per file, error rows instead of failures, counts that add up, incremental runs
 * that touch only what is new, and every configuration error caught before work starts, in one line with its exit
 * code.
 */
@ExtendWith(TestSpark.class)
class LabelImagesJobTest {
  static final int GOOD = 6;

  @TempDir
  static Path data;
  static Path images;
  static Map<String, String> badCodes;
  static SparkSession spark;

  @TempDir
  Path dir;

  @BeforeAll
  static void imagesAndModel() {
    spark = TestSpark.session();
    images = data.resolve("images");
    TestData.goodImages(images, GOOD, 1);
    badCodes = TestData.badImages(images.resolve("bad"));
    TestData.model();
  }

  record Run(int code, String out, String err) {
  }

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LabelImagesJob.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run label(Path input, Path output, String... more) {
    List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--model",
        TestData.model().toString(), "--output", output.toString()));
    List<String> given = List.of(more);
    if (!given.contains("--batch-size")) {
      args.addAll(List.of("--batch-size", "4"));
    }
    if (!given.contains("--top-k")) {
      args.addAll(List.of("--top-k", "3"));
    }
    args.addAll(given);
    return run(args.toArray(String[]::new));
  }

  static Dataset<Row> table(Path output, JobOptions.OutputFormat format) {
    return new OutputTable(output.toString(), format).read(spark);
  }

  static JsonNode report(Path output) throws IOException {
    return new ObjectMapper().readTree(output.resolve(ReportFiles.JSON).toFile());
  }

  static String fileName(Row row) {
    String path = row.getString(row.fieldIndex(OutputTable.PATH));
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static long countFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void labelsEveryFileOnceWithErrorRowsForBadFilesAndAReportThatAddsUp() throws IOException {
    Path output = dir.resolve("labels");
    // A model no other test of this JVM loads, so that this run's load is the JVM's first and is reported.
    Path model = TestData.model(TestData.CLASSES, 71);
    Run r = run("--input", images.toString(), "--model", model.toString(), "--output", output.toString(),
        "--batch-size", "4", "--top-k", "3", "--partitions", "3", "--run-id", "e2e-1", "--show-rows", "3");
    assertEquals(ExitCode.OK, r.code(), r.err());
    int files = GOOD + badCodes.size();
    assertEquals(files, countFiles(images));

    List<Row> rows = table(output, JobOptions.OutputFormat.PARQUET).collectAsList();
    assertEquals(files, rows.size(), "one row per file");
    assertEquals(files, rows.stream().map(LabelImagesJobTest::fileName).distinct().count());
    for (Row row : rows) {
      String name = fileName(row);
      Path file = Files.walk(images).filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
      assertEquals(Files.size(file), row.getLong(row.fieldIndex(OutputTable.LENGTH)), name);
      assertEquals(Files.getLastModifiedTime(file).toMillis(),
          row.getTimestamp(row.fieldIndex(OutputTable.MODIFICATION_TIME)).getTime(), name);
      assertEquals("resnet18", row.getString(row.fieldIndex(OutputTable.MODEL_ARCH)));
      assertTrue(row.getString(row.fieldIndex(OutputTable.MODEL_SHA256)).matches("[0-9a-f]{64}"));
      assertEquals("e2e-1", row.getString(row.fieldIndex(OutputTable.RUN_ID)));
      assertNotNull(row.getTimestamp(row.fieldIndex(OutputTable.PROCESSED_AT)));
      assertNull(row.get(row.fieldIndex(OutputTable.EMBEDDING)));
      String code = row.getString(row.fieldIndex(OutputTable.ERROR_CODE));
      if (badCodes.containsKey(name)) {
        assertEquals(badCodes.get(name), code, name + ": " + row.getString(row.fieldIndex(OutputTable.ERROR_MESSAGE)));
        assertNotNull(row.getString(row.fieldIndex(OutputTable.ERROR_MESSAGE)));
        assertNull(row.get(row.fieldIndex(OutputTable.LABEL)));
      } else {
        assertNull(code, name + ": " + row.getString(row.fieldIndex(OutputTable.ERROR_MESSAGE)));
        List<Row> topK = row.getList(row.fieldIndex(OutputTable.TOP_K));
        assertEquals(3, topK.size());
        assertTrue(topK.get(0).getFloat(2) >= topK.get(1).getFloat(2)
            && topK.get(1).getFloat(2) >= topK.get(2).getFloat(2), "top_k sorted");
        assertEquals(topK.get(0).getString(1), row.getString(row.fieldIndex(OutputTable.LABEL)));
        assertEquals(topK.get(0).getInt(0), row.getInt(row.fieldIndex(OutputTable.INDEX)));
        assertEquals(topK.get(0).getFloat(2), row.getFloat(row.fieldIndex(OutputTable.PROBABILITY)));
        assertTrue(row.getString(row.fieldIndex(OutputTable.LABEL)).matches("class_[0-9]"));
      }
    }

    JsonNode report = report(output);
    assertEquals("succeeded", report.at("/status").asText());
    assertEquals(files, report.at("/counts/inputs_seen").asLong());
    assertEquals(0, report.at("/counts/skipped").asLong());
    assertEquals(files, report.at("/counts/rows_written").asLong());
    assertEquals(GOOD, report.at("/counts/labelled").asLong());
    assertEquals(badCodes.size(), report.at("/counts/errors").asLong());
    Map<String, Long> byCode = new HashMap<>();
    badCodes.values().forEach(code -> byCode.merge(code, 1L, Long::sum));
    Map<String, Long> reported = new HashMap<>();
    report.at("/counts/errors_by_code").fields().forEachRemaining(e -> reported.put(e.getKey(), e.getValue().asLong()));
    assertEquals(byCode, reported);
    long histogramTotal = 0;
    for (JsonNode n : report.at("/label_histogram")) {
      histogramTotal += n.asLong();
    }
    assertEquals(GOOD, histogramTotal);
    assertEquals(3, report.at("/partitions").asInt());
    assertTrue(report.at("/model/random_weights").asBoolean());
    JsonNode loads = report.at("/model_loads_per_executor");
    assertEquals(1, loads.size(), "local mode: the driver JVM is the one executor: " + loads);
    String executor = loads.fieldNames().next();
    assertTrue(executor.startsWith("driver/" + ProcessHandle.current().pid() + "@"), executor);
    assertEquals(1, loads.get(executor).asLong(), "one load for the run's three partitions: " + loads);
    for (String stage : List.of("read+decode", "inference", "write")) {
      assertTrue(report.at("/throughput/stages/" + stage + "/task_seconds").asDouble() > 0, stage + ": " + report);
    }
    assertTrue(report.at("/throughput/file_read/task_seconds").asDouble() > 0, report.toString());
    assertTrue(report.at("/throughput/images_per_second").asDouble() > 0);
    assertNotNull(ImageIO.read(output.resolve(ReportFiles.PNG).toFile()));

    assertTrue(r.out().contains(files + " seen, 0 skipped (already labelled), " + files + " written: " + GOOD
        + " labelled, " + badCodes.size() + " errors"), r.out());
    assertTrue(r.out().contains("RANDOM WEIGHTS"), r.out());
    assertTrue(r.out().contains("first 3 rows of this run"), r.out());
    assertTrue(Files.exists(output.resolve("_SUCCESS")), "committed through Spark's commit protocol");
  }

  @Test
  void theOutputReadsBackWithTheDocumentedSchema() {
    Path output = dir.resolve("schema");
    assertEquals(ExitCode.OK, label(images.resolve("garden"), output).code());
    List<String> names = List.of("path", "modification_time", "length", "label", "index", "probability", "top_k",
        "embedding", "error_code", "error_message", "model_arch", "model_sha256", "decode_mode", "run_id", "processed_at",
        "attempts");
    var schema = spark.read().parquet(output.toString()).schema();
    assertEquals(names, List.of(schema.fieldNames()));
    for (StructField field : schema.fields()) {
      assertEquals(OutputTable.SCHEMA.apply(field.name()).dataType(), field.dataType(), field.name());
    }
  }

  @Test
  void jsonOutputWithEmbeddings() {
    Path output = dir.resolve("json");
    Run r = label(images.resolve("street"), output, "--output-format", "json", "--embeddings");
    assertEquals(ExitCode.OK, r.code(), r.err());
    List<Row> rows = table(output, JobOptions.OutputFormat.JSON).collectAsList();
    assertEquals(GOOD / 2, rows.size());
    for (Row row : rows) {
      assertEquals(512, row.getList(row.fieldIndex(OutputTable.EMBEDDING)).size(), "ResNet-18 features");
    }
    try (Stream<Path> files = Files.list(output)) {
      assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void imageParquetAndTableInputsGiveARowPerImage() {
    Path garden = images.resolve("garden");
    Path fromImages = dir.resolve("image-input");
    Run r = label(garden, fromImages, "--input-format", "image");
    assertEquals(ExitCode.OK, r.code(), r.err());
    assertEquals(GOOD / 2, table(fromImages, JobOptions.OutputFormat.PARQUET)
        .where(col(OutputTable.ERROR_CODE).isNull()).count());

    Path parquet = dir.resolve("images.parquet");
    spark.read().format("binaryFile").load(garden.toString()).select("path", "content").write()
        .parquet(parquet.toString());
    Path fromParquet = dir.resolve("parquet-input");
    r = label(parquet, fromParquet, "--input-format", "parquet");
    assertEquals(ExitCode.OK, r.code(), r.err());
    Dataset<Row> rows = table(fromParquet, JobOptions.OutputFormat.PARQUET);
    assertEquals(GOOD / 2, rows.where(col(OutputTable.ERROR_CODE).isNull()).count());
    assertEquals(Set.copyOf(table(fromImages, JobOptions.OutputFormat.PARQUET).select(OutputTable.PATH)
            .as(Encoders.STRING()).collectAsList()),
        Set.copyOf(rows.select(OutputTable.PATH).as(Encoders.STRING()).collectAsList()),
        "every input format names a file by the same path");

    spark.read().parquet(parquet.toString()).createOrReplaceTempView("garden_images");
    Path fromTable = dir.resolve("table-input");
    r = label(Path.of("garden_images"), fromTable, "--input-format", "table");
    assertEquals(ExitCode.OK, r.code(), r.err());
    assertEquals(GOOD / 2, table(fromTable, JobOptions.OutputFormat.PARQUET).count());
  }

  @Test
  void exceedingTheErrorRateFailsTheRunAfterTheRowsAreWritten() throws IOException {
    Path output = dir.resolve("strict");
    Run r = label(images, output, "--max-error-rate", "0.2");
    assertEquals(ExitCode.ERROR_RATE_EXCEEDED, r.code(), r.err());
    assertTrue(r.err().contains("40.0% of this run's 10 rows are errors, more than --max-error-rate 0.2"), r.err());
    assertEquals(GOOD + badCodes.size(), table(output, JobOptions.OutputFormat.PARQUET).count());
    assertEquals("error_rate_exceeded", report(output).at("/status").asText());
    assertEquals(ExitCode.OK, label(images, dir.resolve("lenient"), "--max-error-rate", "0.4").code());
  }

  /** Incremental runs over a growing directory. */
  @Nested
  class Incremental {
    @Test
    void labelsOnlyNewAndChangedFilesAndNothingTwice() throws IOException {
      Path lake = dir.resolve("lake");
      List<Path> first = TestData.goodImages(lake, 4, 11);
      Path output = dir.resolve("lake-labels");

      Run r1 = label(lake, output, "--mode", "incremental", "--run-id", "night-1");
      assertEquals(ExitCode.OK, r1.code(), r1.err());
      assertEquals(4, table(output, JobOptions.OutputFormat.PARQUET).count());

      Run r2 = label(lake, output, "--mode", "incremental", "--run-id", "night-2");
      assertEquals(ExitCode.OK, r2.code(), r2.err());
      assertEquals(4, table(output, JobOptions.OutputFormat.PARQUET).count(), "a second run adds nothing");
      JsonNode second = report(output);
      assertEquals("nothing_to_do", second.at("/status").asText());
      assertEquals(4, second.at("/counts/skipped").asLong());
      assertEquals(0, second.at("/counts/rows_written").asLong());

      List<Path> added = TestData.goodImages(lake.resolve("new"), 2, 12);
      Path touched = first.get(1);
      Files.setLastModifiedTime(touched, FileTime.fromMillis(Files.getLastModifiedTime(touched).toMillis() + 60_000));
      Run r3 = label(lake, output, "--mode", "incremental", "--run-id", "night-3");
      assertEquals(ExitCode.OK, r3.code(), r3.err());
      Dataset<Row> all = table(output, JobOptions.OutputFormat.PARQUET);
      assertEquals(7, all.count());
      Set<String> third = all.where(col(OutputTable.RUN_ID).equalTo("night-3")).collectAsList().stream()
          .map(LabelImagesJobTest::fileName).collect(Collectors.toSet());
      Set<String> expected = Stream.concat(added.stream(), Stream.of(touched))
          .map(p -> p.getFileName().toString()).collect(Collectors.toSet());
      assertEquals(expected, third);
      JsonNode report = report(output);
      assertEquals(4 + 2, report.at("/counts/inputs_seen").asLong());
      assertEquals(4 - 1, report.at("/counts/skipped").asLong(), "all but the touched file");
      assertEquals(3, report.at("/counts/rows_written").asLong());
      assertEquals(7, all.select(OutputTable.PATH, OutputTable.MODIFICATION_TIME).distinct().count(),
          "each (file, modification time) once");
    }

    /**
     * Parquet appends: a file unreadable in one run is read again by the next incremental runs, each adding a row,
     * and the newest row (by processed_at) is the current one; once it succeeds the file counts as done.
     */
    @Test
    void aFileUnreadableInOneRunGetsANewerRowFromTheNextThatCountsItsAttempts() throws IOException {
      Path lake = dir.resolve("flaky");
      List<Path> files = TestData.goodImages(lake, 3, 21);
      String flaky = files.get(0).getFileName().toString();
      Path input = Path.of(FlakyFileSystem.uri(lake));
      Path output = dir.resolve("flaky-labels");
      FlakyFileSystem.UNREADABLE.add(flaky);
      try {
        assertEquals(ExitCode.OK, label(input, output, "--mode", "incremental", "--run-id", "r1").code());
        assertEquals(ExitCode.OK, label(input, output, "--mode", "incremental", "--run-id", "r2").code());
      } finally {
        FlakyFileSystem.UNREADABLE.clear();
      }
      assertEquals(ExitCode.OK, label(input, output, "--mode", "incremental", "--run-id", "r3").code());
      Run done = label(input, output, "--mode", "incremental", "--run-id", "r4");
      assertEquals(ExitCode.OK, done.code(), done.err());

      List<Row> history = table(output, JobOptions.OutputFormat.PARQUET)
          .where(col(OutputTable.PATH).endsWith("/" + flaky)).orderBy(OutputTable.PROCESSED_AT).collectAsList();
      assertEquals(List.of("r1", "r2", "r3"), history.stream().map(r -> r.<String>getAs(OutputTable.RUN_ID)).toList());
      assertEquals(Arrays.asList("UNREADABLE", "UNREADABLE", null),
          history.stream().map(r -> r.<String>getAs(OutputTable.ERROR_CODE)).toList());
      assertEquals(List.of(1, 2, 3), history.stream().map(r -> r.<Integer>getAs("attempts")).toList());
      assertEquals(3 + 2, table(output, JobOptions.OutputFormat.PARQUET).count(), "the other files once each");
      assertEquals("nothing_to_do", report(output).at("/status").asText(), "a labelled file counts as done");
    }

    @Test
    void appendLabelsEverythingAgain() {
      Path output = dir.resolve("appended");
      assertEquals(ExitCode.OK, label(images.resolve("garden"), output).code());
      assertEquals(ExitCode.OK, label(images.resolve("garden"), output, "--mode", "append").code());
      assertEquals(GOOD, table(output, JobOptions.OutputFormat.PARQUET).count());
    }
  }

  /**
   * A run killed half way (the JVM gets SIGKILL after some tasks have committed their files) leaves the table as it
   * was, and an incremental re-run labels exactly what is missing.
   */
  @Nested
  class KilledRun {
    @Test
    void leavesNothingVisibleAndTheRerunLabelsEveryFileExactlyOnce() throws Exception {
      Path lake = dir.resolve("lake");
      Path output = dir.resolve("lake-labels");
      TestData.goodImages(lake.resolve("monday"), 4, 21);
      assertEquals(ExitCode.OK, label(lake, output, "--mode", "incremental").code());
      TestData.goodImages(lake.resolve("tuesday"), 30, 22);

      Process child = startJob(dir.resolve("child.log"), "--master", "local[1]", "--input", lake.toString(),
          "--model", TestData.model().toString(), "--output", output.toString(), "--mode", "incremental",
          "--partitions", "30", "--batch-size", "1", "--run-id", "killed");
      int committed = waitForCommittedTasks(child, output.resolve("_temporary/0"), dir.resolve("child.log"));
      child.destroyForcibly().waitFor();
      assertTrue(committed >= 1 && committed < 30, committed + " of 30 tasks had committed when the JVM was killed");
      try (Stream<Path> files = Files.walk(output.resolve("_temporary"))) {
        assertTrue(files.anyMatch(f -> f.toString().endsWith(".parquet")), "the killed run had written rows");
      }

      Dataset<Row> visible = table(output, JobOptions.OutputFormat.PARQUET);
      assertEquals(4, visible.count(), "readers still see only the first run's rows");
      assertEquals(0, visible.where(col(OutputTable.RUN_ID).equalTo("killed")).count());

      Run rerun = label(lake, output, "--mode", "incremental", "--run-id", "rerun");
      assertEquals(ExitCode.OK, rerun.code(), rerun.err());
      Dataset<Row> all = table(output, JobOptions.OutputFormat.PARQUET);
      assertEquals(34, all.count());
      assertEquals(34, all.select(OutputTable.PATH).distinct().count(), "every file exactly once");
      assertEquals(30, all.where(col(OutputTable.RUN_ID).equalTo("rerun")).count());
      assertEquals(ExitCode.OK, label(lake, output, "--mode", "incremental").code());
      assertEquals(34, table(output, JobOptions.OutputFormat.PARQUET).count());
    }

    Process startJob(Path log, String... args) throws IOException {
      return JobProcess.start(log, args);
    }

    /** Waits until the committer has moved at least one task's files into place, and says how many. */
    int waitForCommittedTasks(Process child, Path jobAttempt, Path log) throws Exception {
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline) {
        if (!child.isAlive()) {
          throw new AssertionError("the job ended (exit " + child.exitValue() + ") before it could be killed:\n"
              + Files.readString(log));
        }
        if (Files.isDirectory(jobAttempt)) {
          try (Stream<Path> tasks = Files.list(jobAttempt)) {
            int committed = (int) tasks.filter(p -> p.getFileName().toString().startsWith("task_")).count();
            if (committed > 0) {
              return committed;
            }
          }
        }
        Thread.sleep(10);
      }
      child.destroyForcibly();
      throw new AssertionError("no task committed within 3 minutes:\n" + Files.readString(log));
    }
  }

  /** Configuration errors: one line on stderr, the documented exit code, and no output written. */
  @Nested
  class ConfigurationErrors {
    void assertRefused(Run r, int code, String message) {
      assertEquals(code, r.code(), r.err());
      List<String> lines = r.err().lines().toList();
      assertEquals(1, lines.size(), "one line: " + r.err());
      assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(message), r.err());
    }

    @Test
    void aMissingModel() {
      Path output = dir.resolve("out");
      assertRefused(run("--input", images.toString(), "--model", dir.resolve("nope").toString(), "--output",
          output.toString()), ExitCode.CONFIG_ERROR, "model " + dir.resolve("nope") + " does not exist");
      assertFalse(Files.exists(output));
    }

    @Test
    void aMissingInput() {
      assertRefused(label(dir.resolve("no-images"), dir.resolve("out")), ExitCode.CONFIG_ERROR,
          "input " + dir.resolve("no-images") + " does not exist");
    }

    @Test
    void noMatchingFiles() {
      assertRefused(label(images, dir.resolve("out"), "--extensions", "tiff,webp"), ExitCode.CONFIG_ERROR,
          "no files under " + images + " with the extensions tiff,webp; passed over: 5 .jpg, 2 .png, 1 .bmp, 1 .gif, "
          + "1 .jpeg (see --extensions)");
      assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void addingRowsDecodedAnotherWayThanTheTablesRowsOfTheModel() throws IOException {
      Path output = dir.resolve("decoded");
      assertEquals(ExitCode.OK, label(images.resolve("garden"), output).code());
      long before = countFiles(output);
      for (String mode : List.of("incremental", "append")) {
        assertRefused(label(images.resolve("garden"), output, "--mode", mode, "--decode", "reduced"),
            ExitCode.CONFIG_ERROR, "output " + output + " holds rows of this model decoded exact and this run "
            + "decodes reduced; one table does not mix the two: use --decode exact, --mode overwrite, or another "
            + "--output");
      }
      assertEquals(before, countFiles(output));
      assertEquals(List.of("exact"), decodeModes(output));
      assertEquals(ExitCode.OK, label(images.resolve("garden"), output, "--mode", "overwrite", "--decode", "reduced")
          .code());
      assertEquals(List.of("reduced"), decodeModes(output), "the run report and every row say how it was decoded");
      assertEquals("reduced", report(output).at("/throughput/decode_mode").asText());
    }

    private List<String> decodeModes(Path output) {
      return table(output, JobOptions.OutputFormat.PARQUET).select(OutputTable.DECODE_MODE).distinct()
          .collectAsList().stream().map(r -> r.getString(0)).toList();
    }

    @Test
    void anExistingOutputWithoutAModeThatWritesToIt() throws IOException {
      Path output = dir.resolve("exists");
      assertEquals(ExitCode.OK, label(images.resolve("garden"), output).code());
      long before = countFiles(output);
      assertRefused(label(images.resolve("garden"), output), ExitCode.CONFIG_ERROR,
          "already exists; use --mode overwrite to replace it");
      assertEquals(before, countFiles(output));
    }

    @Test
    void anOutputThatIsNotALabelsTable() throws IOException {
      Path output = Files.createDirectories(dir.resolve("mine"));
      Files.writeString(output.resolve("thesis.tex"), "precious");
      for (String mode : List.of("create", "overwrite", "append", "incremental")) {
        assertRefused(label(images, output, "--mode", mode), ExitCode.CONFIG_ERROR, "is not a parquet labels table");
      }
      assertEquals("precious", Files.readString(output.resolve("thesis.tex")));
    }

    @Test
    void labelsThatDoNotMatchTheModelsClasses() throws IOException {
      Path copy = dir.resolve("model");
      try (Stream<Path> files = Files.walk(TestData.model())) {
        for (Path f : files.toList()) {
          Path target = copy.resolve(TestData.model().relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(target);
          } else {
            Files.copy(f, target);
          }
        }
      }
      Files.write(copy.resolve("assets/labels.txt"), List.of("cat", "dog"));
      assertRefused(run("--input", images.toString(), "--model", copy.toString(), "--output",
              dir.resolve("out").toString()), ExitCode.CONFIG_ERROR,
          "labels.txt has 2 labels but model.json says 10 classes");
    }

    @Test
    void moreTopKThanClasses() {
      assertRefused(label(images, dir.resolve("out"), "--top-k", "11"), ExitCode.CONFIG_ERROR,
          "--top-k 11 is more than the model's 10 classes");
    }

    @Test
    void invalidNumbersAndUnknownOptionsAreUsageErrors() {
      assertRefused(label(images, dir.resolve("out"), "--batch-size", "0"), ExitCode.USAGE,
          "--batch-size must be at least 1, got 0");
      assertRefused(label(images, dir.resolve("out"), "--max-error-rate", "2"), ExitCode.USAGE,
          "--max-error-rate must be between 0 and 1");
      assertRefused(label(images, dir.resolve("out"), "--batch-size", "x"), ExitCode.USAGE, "'x' is not an int");
      assertRefused(label(images, dir.resolve("out"), "--colour"), ExitCode.USAGE, "Unknown option: '--colour'");
      assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void aBadConfigFile() throws IOException {
      Path config = Files.writeString(dir.resolve("job.properties"), "batch_size = 4\n");
      assertRefused(label(images, dir.resolve("out"), "--config", config.toString()), ExitCode.CONFIG_ERROR,
          "unknown key 'batch_size'");
    }
  }

  @Test
  void helpDocumentsEveryOptionAndTheExitCodes() {
    Run r = run("--help");
    assertEquals(ExitCode.OK, r.code());
    for (String option : JobCommandLine.keys(new picocli.CommandLine(new JobOptions()).getCommandSpec())) {
      assertTrue(r.out().contains("--" + option), option + " in:\n" + r.out());
    }
    assertTrue(r.out().contains("Exit codes: 0 done; 1 configuration error"), r.out());
  }
}
