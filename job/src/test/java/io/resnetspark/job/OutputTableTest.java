package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.JobOptions.Mode;
import io.resnetspark.job.JobOptions.OutputFormat;
import io.resnetspark.job.OutputTable.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The labels table: what is at --output, which modes may write there, and what incremental runs skip. */
@ExtendWith(TestSpark.class)
class OutputTableTest {
  static final Timestamp T1 = Timestamp.valueOf("2024-05-01 10:00:00.123");
  static final Timestamp T2 = Timestamp.valueOf("2024-05-02 11:30:00");
  static final StructType KEYS = new StructType()
      .add(OutputTable.PATH, DataTypes.StringType)
      .add(OutputTable.MODIFICATION_TIME, DataTypes.TimestampType)
      .add(OutputTable.LENGTH, DataTypes.LongType);

  @TempDir
  Path dir;

  final SparkSession spark = TestSpark.session();
  final Configuration conf = spark.sparkContext().hadoopConfiguration();

  static Row row(String path, Timestamp modified, String label, String errorCode, String sha) {
    return row(path, modified, label, errorCode, sha, 1, T2);
  }

  static Row row(String path, Timestamp modified, String label, String errorCode, String sha, int attempts,
                 Timestamp processed) {
    return RowFactory.create(path, modified, 100L, label, label == null ? null : 1, label == null ? null : 0.5f,
        null, null, errorCode, errorCode == null ? null : "bad", "resnet18", sha, "exact", "run-1", processed,
        attempts);
  }

  Set<String> toLabel(OutputTable table, int maxAttempts, Row... candidates) {
    return OutputTable.toLabel(spark.createDataFrame(List.of(candidates), KEYS),
            OutputTable.currentRows(table.read(spark), "s1"), maxAttempts)
        .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
  }

  Dataset<Row> rows(Row... rows) {
    return spark.createDataFrame(List.of(rows), OutputTable.SCHEMA);
  }

  OutputTable table(String name, OutputFormat format) {
    return new OutputTable(dir.resolve(name).toString(), format);
  }

  @Test
  void theTableIsTheFileThenThePredictionFieldsThenTheRunWithEveryLevelNullable() {
    StructType topK = new StructType()
        .add("index", DataTypes.IntegerType, true)
        .add("label", DataTypes.StringType, true)
        .add("probability", DataTypes.FloatType, true);
    StructType expected = new StructType()
        .add("path", DataTypes.StringType, true)
        .add("modification_time", DataTypes.TimestampType, true)
        .add("length", DataTypes.LongType, true)
        .add("label", DataTypes.StringType, true)
        .add("index", DataTypes.IntegerType, true)
        .add("probability", DataTypes.FloatType, true)
        .add("top_k", DataTypes.createArrayType(topK, true), true)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, true), true)
        .add("error_code", DataTypes.StringType, true)
        .add("error_message", DataTypes.StringType, true)
        .add("model_arch", DataTypes.StringType, true)
        .add("model_sha256", DataTypes.StringType, true)
        .add("decode_mode", DataTypes.StringType, true)
        .add("run_id", DataTypes.StringType, true)
        .add("processed_at", DataTypes.TimestampType, true)
        .add("attempts", DataTypes.IntegerType, true);

    assertEquals(expected, OutputTable.SCHEMA);
  }

  @Test
  void nothingAtThePathIsAbsent() {
    assertEquals(State.ABSENT, table("none", OutputFormat.PARQUET).inspect(conf).state());
  }

  @Test
  void aDirectoryWithOnlyHiddenFilesIsEmpty() throws IOException {
    Path out = Files.createDirectories(dir.resolve("killed/_temporary/0/task_1"));
    Files.writeString(out.resolve("part-00000.parquet"), "half");
    Files.writeString(dir.resolve("killed/.hidden"), "x");
    assertEquals(State.EMPTY, table("killed", OutputFormat.PARQUET).inspect(conf).state());
  }

  @Test
  void filesOfAnInterruptedRunAreDiscardedBeforeTheNextWrite() throws IOException {
    OutputTable table = table("t", OutputFormat.PARQUET);
    table.write(rows(row("file:/a.jpg", T1, "cat", null, "s1")), Mode.CREATE);
    Path leftover = Files.createDirectories(dir.resolve("t/_temporary/0/task_202401010000_0001_m_000000"));
    Files.writeString(leftover.resolve("part-00000-x.snappy.parquet"), "a killed run's committed task");
    assertTrue(table.discardUncommitted(conf));
    assertTrue(!Files.exists(dir.resolve("t/_temporary")));
    assertTrue(!table.discardUncommitted(conf), "nothing left the second time");
    assertEquals(1, table.read(spark).count(), "the table itself is untouched");
  }

  @ParameterizedTest
  @EnumSource(value = OutputFormat.class, names = {"PARQUET", "JSON"})
  void writtenRowsFormATableThatReadsBackWithTheSchema(OutputFormat format) {
    OutputTable table = table("t-" + format, format);
    table.write(rows(row("file:/a.jpg", T1, "cat", null, "s1"), row("file:/b.png", null, null, "CORRUPT", "s1")),
        Mode.CREATE);
    assertEquals(State.TABLE, table.inspect(conf).state());
    List<Row> back = table.read(spark).orderBy(OutputTable.PATH).collectAsList();
    assertEquals(2, back.size());
    assertEquals("file:/a.jpg", back.get(0).getString(0));
    assertEquals(T1, back.get(0).getTimestamp(1), "modification times survive " + format + " to the millisecond");
    assertEquals("cat", back.get(0).getString(3));
    assertNull(back.get(1).get(1));
    assertEquals("CORRUPT", back.get(1).getString(8));
    assertEquals(OutputTable.SCHEMA, table.read(spark).schema());
  }

  @Test
  void createRefusesAnExistingTable() {
    OutputTable table = table("t", OutputFormat.PARQUET);
    table.write(rows(row("file:/a.jpg", T1, "cat", null, "s1")), Mode.CREATE);
    ConfigException e = assertThrows(ConfigException.class,
        () -> table.checkWritable(Mode.CREATE, table.inspect(conf), spark));
    assertTrue(e.getMessage().contains("already exists; use --mode overwrite"), e.getMessage());
    for (Mode mode : List.of(Mode.OVERWRITE, Mode.APPEND, Mode.INCREMENTAL)) {
      table.checkWritable(mode, table.inspect(conf), spark);
    }
  }

  @Test
  void noModeWritesOverAFileOrSomeoneElsesDirectory() throws IOException {
    Files.writeString(dir.resolve("notes.txt"), "mine");
    Files.createDirectories(dir.resolve("home/docs"));
    Files.writeString(dir.resolve("home/thesis.tex"), "mine");
    for (String name : List.of("notes.txt", "home")) {
      OutputTable table = table(name, OutputFormat.PARQUET);
      assertEquals(State.FOREIGN, table.inspect(conf).state(), name);
      for (Mode mode : Mode.values()) {
        ConfigException e = assertThrows(ConfigException.class,
            () -> table.checkWritable(mode, table.inspect(conf), spark));
        assertTrue(e.getMessage().contains("is not a parquet labels table"), e.getMessage());
      }
    }
  }

  @Test
  void aTableOfTheOtherFormatIsNamedAsSuch() {
    table("j", OutputFormat.JSON).write(rows(row("file:/a.jpg", T1, "cat", null, "s1")), Mode.CREATE);
    OutputTable asParquet = table("j", OutputFormat.PARQUET);
    ConfigException e = assertThrows(ConfigException.class,
        () -> asParquet.checkWritable(Mode.INCREMENTAL, asParquet.inspect(conf), spark));
    assertTrue(e.getMessage().contains("it is a json table, not parquet (see --output-format)"), e.getMessage());
  }

  @Test
  void appendingToAParquetTableWithoutTheKeyColumnsIsRefused() {
    String location = dir.resolve("other").toString();
    spark.range(3).toDF("id").write().parquet(location);
    OutputTable table = new OutputTable(location, OutputFormat.PARQUET);
    ConfigException e = assertThrows(ConfigException.class,
        () -> table.checkWritable(Mode.APPEND, table.inspect(conf), spark));
    assertTrue(e.getMessage().contains("without the columns path string, modification_time timestamp, "
        + "model_sha256 string"), e.getMessage());
  }

  @Test
  void rowsOfOneModelAreDecodedOneWayAndRowsFromBeforeTheColumnCountAsExact() {
    OutputTable table = table("modes", OutputFormat.PARQUET);
    table.write(rows(row("file:/a.jpg", T1, "cat", null, "s1"), decoded(row("file:/c.jpg", T1, "cat", null, "s3"),
        "reduced")), Mode.CREATE);
    // A file written before the column existed.
    rows(row("file:/b.jpg", T1, "cat", null, "s2")).drop(OutputTable.DECODE_MODE).write().mode("append")
        .parquet(table.location());
    Dataset<Row> rows = table.read(spark);

    OutputTable.checkDecodeMode(rows, "out", "s1", "exact");
    OutputTable.checkDecodeMode(rows, "out", "s2", "exact");
    OutputTable.checkDecodeMode(rows, "out", "s3", "reduced");
    OutputTable.checkDecodeMode(rows, "out", "s4", "reduced");
    ConfigException e = assertThrows(ConfigException.class,
        () -> OutputTable.checkDecodeMode(rows, "out", "s1", "reduced"));
    assertEquals("output out holds rows of this model decoded exact and this run decodes reduced; one table does not "
        + "mix the two: use --decode exact, --mode overwrite, or another --output", e.getMessage());
    assertThrows(ConfigException.class, () -> OutputTable.checkDecodeMode(rows, "out", "s2", "reduced"));
    e = assertThrows(ConfigException.class, () -> OutputTable.checkDecodeMode(rows, "out", "s3", "exact"));
    assertTrue(e.getMessage().contains("decoded reduced and this run decodes exact"), e.getMessage());
  }

  static Row decoded(Row row, String decodeMode) {
    Object[] values = new Object[row.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    values[OutputTable.SCHEMA.fieldIndex(OutputTable.DECODE_MODE)] = decodeMode;
    return RowFactory.create(values);
  }

  @Test
  void incrementalRunsSkipTheSameFileVersionForTheSameModelOnly() {
    OutputTable table = table("inc", OutputFormat.PARQUET);
    table.write(rows(
        row("file:/same.jpg", T1, "cat", null, "s1"),
        row("file:/touched.jpg", T1, "cat", null, "s1"),
        row("file:/resized.jpg", T1, "cat", null, "s1"),
        row("file:/failed.jpg", T1, null, "CORRUPT", "s1"),
        row("file:/no-time", null, "dog", null, "s1"),
        row("file:/other-model.jpg", T1, "cat", null, "s2")), Mode.CREATE);
    assertEquals(Set.of("file:/touched.jpg", "file:/resized.jpg", "file:/other-model.jpg", "file:/new.jpg"),
        toLabel(table, 3,
            RowFactory.create("file:/same.jpg", T1, 100L),
            RowFactory.create("file:/touched.jpg", T2, 100L),
            RowFactory.create("file:/resized.jpg", T1, 101L),
            RowFactory.create("file:/failed.jpg", T1, 100L),
            RowFactory.create("file:/no-time", null, 100L),
            RowFactory.create("file:/other-model.jpg", T1, 100L),
            RowFactory.create("file:/new.jpg", T1, 100L)),
        "permanent errors (CORRUPT) count as done");
  }

  @Test
  void transientErrorsAreRetriedUntilTheirRowHoldsMaxAttempts() {
    OutputTable table = table("retry", OutputFormat.PARQUET);
    table.write(rows(
        row("file:/unreadable-once.jpg", T1, null, "UNREADABLE", "s1", 1, T2),
        row("file:/model-failed-twice.jpg", T1, null, "MODEL_ERROR", "s1", 2, T2),
        row("file:/unreadable-thrice.jpg", T1, null, "UNREADABLE", "s1", 3, T2)), Mode.CREATE);
    Row[] candidates = {
        RowFactory.create("file:/unreadable-once.jpg", T1, 100L),
        RowFactory.create("file:/model-failed-twice.jpg", T1, 100L),
        RowFactory.create("file:/unreadable-thrice.jpg", T1, 100L)};
    assertEquals(Set.of("file:/unreadable-once.jpg", "file:/model-failed-twice.jpg"), toLabel(table, 3, candidates));
    assertEquals(Set.of("file:/unreadable-once.jpg"), toLabel(table, 2, candidates));
    assertEquals(Set.of(), toLabel(table, 1, candidates), "--max-attempts 1: no retries");
  }

  @Test
  void inAnAppendOnlyTableTheNewestRowOfAFileIsCurrent() {
    OutputTable table = table("appended", OutputFormat.PARQUET);
    Timestamp later = Timestamp.valueOf("2024-05-03 09:00:00");
    table.write(rows(
        row("file:/a.jpg", T1, null, "UNREADABLE", "s1", 1, T2),
        row("file:/a.jpg", T1, "cat", null, "s1", 2, later),
        row("file:/b.jpg", T1, "cat", null, "s1", 1, T2),
        row("file:/b.jpg", T1, null, "UNREADABLE", "s1", 1, later)), Mode.CREATE);
    assertEquals(Set.of("file:/b.jpg"), toLabel(table, 3,
        RowFactory.create("file:/a.jpg", T1, 100L), RowFactory.create("file:/b.jpg", T1, 100L)),
        "a.jpg's retry succeeded; b.jpg's newest row is an error");
  }

  @Test
  void aRetriedRowCountsTheAttemptsOfEarlierRunsOnTheSameVersionOnly() {
    OutputTable table = table("attempts", OutputFormat.PARQUET);
    table.write(rows(
        row("file:/retried.jpg", T1, null, "UNREADABLE", "s1", 2, T2),
        row("file:/changed.jpg", T1, null, "UNREADABLE", "s1", 2, T2),
        row("file:/labelled.jpg", T1, "cat", null, "s1", 1, T2)), Mode.CREATE);
    Dataset<Row> run = rows(
        row("file:/retried.jpg", T1, "cat", null, "s1"),
        row("file:/changed.jpg", T2, "cat", null, "s1"),
        row("file:/labelled.jpg", T2, "dog", null, "s1"),
        row("file:/new.jpg", T1, "dog", null, "s1"));
    List<Row> out = OutputTable.withEarlierAttempts(run, OutputTable.currentRows(table.read(spark), "s1"))
        .orderBy(OutputTable.PATH).collectAsList();
    assertEquals(OutputTable.SCHEMA, out.get(0).schema());
    assertEquals(List.of("file:/changed.jpg 1", "file:/labelled.jpg 1", "file:/new.jpg 1", "file:/retried.jpg 3"),
        out.stream().map(r -> r.getString(0) + " " + r.getInt(r.fieldIndex(OutputTable.ATTEMPTS))).toList());
  }

  @Test
  void duplicateRowsInTheTableDoNotDuplicateCandidates() {
    OutputTable table = table("dup", OutputFormat.PARQUET);
    table.write(rows(row("file:/a.jpg", T1, "cat", null, "s1"), row("file:/a.jpg", T1, "cat", null, "s1")),
        Mode.CREATE);
    assertEquals(Set.of("file:/a.jpg", "file:/b.jpg"), toLabel(table, 3,
        RowFactory.create("file:/a.jpg", T2, 100L), RowFactory.create("file:/b.jpg", T1, 100L)));
  }

  @Test
  void filesAreSizedToTheRowsNotToTheTasks() {
    long rowBytes = OutputTable.rowBytes(5, false, 2048);
    assertEquals(1, OutputTable.files(3, rowBytes, 128L << 20), "a nightly run over 3 files writes one file");
    assertEquals(1, OutputTable.files(100_000, rowBytes, 128L << 20));
    assertEquals(2, OutputTable.files(100_000, OutputTable.rowBytes(5, true, 2048), 512L << 20),
        "embeddings make rows 8 KB");
    assertEquals(1, OutputTable.files(0, rowBytes, 1024));
  }

  @Test
  void theComparisonWithTheTableIsASortMergeJoinOnTheExecutorsNeverABroadcastThroughTheDriver() {
    OutputTable table = table("tiny", OutputFormat.PARQUET);
    table.write(rows(row("file:/a.jpg", T1, "cat", null, "s1")), Mode.CREATE);
    Dataset<Row> todo = OutputTable.toLabel(
        spark.createDataFrame(List.of(RowFactory.create("file:/b.jpg", T1, 100L)), KEYS),
        OutputTable.currentRows(table.read(spark), "s1"), 3);
    assertEquals(1, todo.count());
    String plan = todo.queryExecution().executedPlan().toString();
    assertTrue(plan.contains("SortMergeJoin") && !plan.contains("Broadcast"), plan);
  }

  @Test
  void partFileNamesOfEitherFormatAndCodecAreRecognised() {
    assertTrue(OutputTable.isDataFile("part-00000-1c2d-c000.snappy.parquet", OutputFormat.PARQUET));
    assertTrue(OutputTable.isDataFile("part-00000-1c2d-c000.json", OutputFormat.JSON));
    assertTrue(OutputTable.isDataFile("part-00000-1c2d-c000.json.gz", OutputFormat.JSON));
    assertTrue(!OutputTable.isDataFile("part-00000-1c2d-c000.json", OutputFormat.PARQUET));
    assertTrue(!OutputTable.isDataFile("thesis.tex", OutputFormat.JSON));
  }
}
