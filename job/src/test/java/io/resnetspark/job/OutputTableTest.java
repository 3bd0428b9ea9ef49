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
import java.util.ArrayList;
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
      .add(OutputTable.MODIFICATION_TIME, DataTypes.TimestampType);

  @TempDir
  Path dir;

  final SparkSession spark = TestSpark.session();
  final Configuration conf = spark.sparkContext().hadoopConfiguration();

  static Row row(String path, Timestamp modified, String label, String errorCode, String sha) {
    return RowFactory.create(path, modified, 100L, label, label == null ? null : 1, label == null ? null : 0.5f,
        null, null, errorCode, errorCode == null ? null : "bad", "resnet18", sha, "run-1", T2);
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
        .add("run_id", DataTypes.StringType, true)
        .add("processed_at", DataTypes.TimestampType, true);

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
  @EnumSource(OutputFormat.class)
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
  void incrementalRunsSkipTheSamePathAndTimeForTheSameModelOnly() {
    OutputTable table = table("inc", OutputFormat.PARQUET);
    table.write(rows(
        row("file:/same.jpg", T1, "cat", null, "s1"),
        row("file:/touched.jpg", T1, "cat", null, "s1"),
        row("file:/failed.jpg", T1, null, "CORRUPT", "s1"),
        row("file:/no-time", null, "dog", null, "s1"),
        row("file:/other-model.jpg", T1, "cat", null, "s2")), Mode.CREATE);
    Dataset<Row> candidates = spark.createDataFrame(List.of(
        RowFactory.create("file:/same.jpg", T1),
        RowFactory.create("file:/touched.jpg", T2),
        RowFactory.create("file:/failed.jpg", T1),
        RowFactory.create("file:/no-time", null),
        RowFactory.create("file:/other-model.jpg", T1),
        RowFactory.create("file:/new.jpg", T1)), KEYS);
    Set<String> todo = OutputTable.notYetLabelled(candidates, table.labelledKeys(spark, "s1"))
        .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
    assertEquals(Set.of("file:/touched.jpg", "file:/other-model.jpg", "file:/new.jpg"), todo);
  }

  @Test
  void duplicateRowsInTheTableDoNotDuplicateCandidates() {
    OutputTable table = table("dup", OutputFormat.PARQUET);
    table.write(rows(row("file:/a.jpg", T1, "cat", null, "s1"), row("file:/a.jpg", T1, "cat", null, "s1")),
        Mode.CREATE);
    List<Row> candidates = new ArrayList<>();
    candidates.add(RowFactory.create("file:/a.jpg", T2));
    candidates.add(RowFactory.create("file:/b.jpg", T1));
    Dataset<Row> todo = OutputTable.notYetLabelled(spark.createDataFrame(candidates, KEYS),
        table.labelledKeys(spark, "s1"));
    assertEquals(2, todo.count());
  }

  @Test
  void theComparisonWithTheTableIsASortMergeJoinOnTheExecutorsNeverABroadcastThroughTheDriver() {
    OutputTable table = table("tiny", OutputFormat.PARQUET);
    table.write(rows(row("file:/a.jpg", T1, "cat", null, "s1")), Mode.CREATE);
    Dataset<Row> todo = OutputTable.notYetLabelled(
        spark.createDataFrame(List.of(RowFactory.create("file:/b.jpg", T1)), KEYS), table.labelledKeys(spark, "s1"));
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
