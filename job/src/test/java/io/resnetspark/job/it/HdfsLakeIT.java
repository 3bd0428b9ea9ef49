package io.resnetspark.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.ExitCode;
import io.resnetspark.job.OutputTable;
import io.resnetspark.job.ReportFiles;
import io.resnetspark.job.RunReport;
import io.resnetspark.udf.distribution.ModelBroadcasts;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on HDFS, as the README promises: a real NameNode and DataNode (Hadoop's MiniDFSCluster, in this JVM on
 * 127.0.0.1, speaking HDFS's RPC and data transfer protocols) hold the images, the SavedModel and the labels table,
 * each given to the job as an {@code hdfs://} URI; driver and executor in one local[2] JVM.
 */
class HdfsLakeIT {
  static final int GOOD = 10;

  /** Kept when a test fails: it holds the NameNode's and DataNode's storage. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static File runDir;

  static MiniDFSCluster hdfs;
  static FileSystem fs;
  static SparkSession spark;
  /** Expected error code by the path the job writes for each file ({@code hdfs://host:port/...}); null if good. */
  static Map<String, String> lake;

  @BeforeAll
  static void startHdfsAndFillIt() throws IOException {
    long begin = System.nanoTime();
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(runDir, "hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();

    File images = new File(runDir, "images");
    TestInputs.goodImages(images.toPath(), GOOD, 3);
    Map<String, String> bad = TestInputs.badImages(images.toPath().resolve("bad"));
    fs.copyFromLocalFile(new Path(images.toURI()), hdfsPath("/lake/images"));
    fs.copyFromLocalFile(new Path(TestInputs.model().toUri()), hdfsPath("/models/r18"));
    lake = new TreeMap<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(hdfsPath("/lake/images"), true);
    while (files.hasNext()) {
      Path file = files.next().getPath();
      lake.put(file.toString(), bad.get(file.getName()));
    }
    assertEquals(GOOD + bad.size(), lake.size(), "every file is on HDFS: " + lake.keySet());

    spark = SparkSession.builder()
        .master("local[2]")
        .appName("HdfsLakeIT")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    System.out.printf("[timing] HdfsLakeIT setup (MiniDFSCluster, model build, uploads, Spark): %d ms%n",
        millisSince(begin));
  }

  @AfterAll
  static void stopHdfs() throws IOException {
    try {
      if (spark != null) {
        spark.stop();
      }
      FileSystem.closeAll();
    } finally {
      if (hdfs != null) {
        hdfs.shutdown(true);
      }
    }
  }

  /** A path of this HDFS, fully qualified (scheme, NameNode host and port), as a user gives it to the job. */
  static Path hdfsPath(String path) {
    return new Path(hdfs.getURI().toString() + path);
  }

  static String hdfsUri(String path) {
    return hdfsPath(path).toString();
  }

  static JobRun label(String output, String... more) {
    List<String> args = new ArrayList<>(List.of("--input", hdfsUri("/lake/images"), "--model",
        hdfsUri("/models/r18"), "--output", output, "--top-k", "2", "--batch-size", "4", "--partitions", "3"));
    args.addAll(List.of(more));
    return JobRun.of(args);
  }

  static RunReport report(String output) throws IOException {
    try (InputStream in = fs.open(new Path(output, ReportFiles.JSON))) {
      return RunReport.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** The table's rows by path, failing on a path with two rows. */
  static Map<String, Row> rowsByPath(String output) {
    Map<String, Row> byPath = new TreeMap<>();
    for (Row row : spark.read().parquet(output).collectAsList()) {
      Row previous = byPath.put(row.getString(row.fieldIndex(OutputTable.PATH)), row);
      assertNull(previous, "two rows for " + row.getString(row.fieldIndex(OutputTable.PATH)));
    }
    return byPath;
  }

  @Test
  void labelsImagesOnHdfsWithTheModelFromHdfsIntoATableOnHdfsAndAnIncrementalRunAddsNothingNew() throws IOException {
    String output = hdfsUri("/lake/labels");
    String localModelSha = ModelBroadcasts.get(spark, TestInputs.model().toUri().toString()).sha256();

    JobRun first = label(output, "--mode", "overwrite", "--run-id", "first");
    System.out.printf("[timing] HDFS overwrite run of %d files: %d ms%n%s", lake.size(), first.wall().toMillis(),
        first.out());

    assertEquals(ExitCode.OK, first.exitCode(), first.transcript());
    RunReport report = report(output);
    assertEquals(hdfsUri("/models/r18"), report.model().path(), "the SavedModel was read from HDFS");
    assertEquals(localModelSha, report.model().sha256(), "bit for bit the model that was copied there");
    assertEquals(lake.size(), report.counts().inputsSeen());
    assertEquals(GOOD, report.counts().labelled());
    assertEquals(lake.size() - GOOD, report.counts().errors());
    assertTrue(fs.exists(new Path(output, "_SUCCESS")), "committed on HDFS");
    Map<String, Row> rows = rowsByPath(output);
    assertEquals(lake.keySet(), rows.keySet(), "one row per file on HDFS, no other rows");
    for (Map.Entry<String, String> file : lake.entrySet()) {
      Row row = rows.get(file.getKey());
      String name = file.getKey();
      String message = row.getString(row.fieldIndex(OutputTable.ERROR_MESSAGE));
      assertEquals(file.getValue(), row.getString(row.fieldIndex(OutputTable.ERROR_CODE)), name + ": " + message);
      assertEquals(fs.getFileStatus(new Path(name)).getLen(),
          row.getLong(row.fieldIndex(OutputTable.LENGTH)), name);
      assertEquals(localModelSha, row.getString(row.fieldIndex(OutputTable.MODEL_SHA256)), name);
      assertEquals("first", row.getString(row.fieldIndex(OutputTable.RUN_ID)), name);
      if (file.getValue() == null) {
        assertEquals(TestInputs.LABELS.get(row.getInt(row.fieldIndex(OutputTable.INDEX))),
            row.getString(row.fieldIndex(OutputTable.LABEL)), name);
      } else {
        assertNotNull(message, name);
        assertNull(row.get(row.fieldIndex(OutputTable.LABEL)), name);
      }
    }

    JobRun again = label(output, "--mode", "incremental", "--run-id", "again");
    System.out.printf("[timing] HDFS incremental run over the same %d files: %d ms%n", lake.size(),
        again.wall().toMillis());

    assertEquals(ExitCode.OK, again.exitCode(), again.transcript());
    RunReport incremental = report(output);
    assertEquals(lake.size(), incremental.counts().inputsSeen());
    assertEquals(lake.size(), incremental.counts().skipped(), "every file already has its row");
    assertEquals(0, incremental.counts().rowsWritten());
    Map<String, Row> after = rowsByPath(output);
    assertEquals(lake.keySet(), after.keySet(), "still one row per file");
    Set<String> runIds = new TreeSet<>();
    after.values().forEach(row -> runIds.add(row.getString(row.fieldIndex(OutputTable.RUN_ID))));
    assertEquals(Set.of("first"), runIds, "the rows are those of the first run");
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
