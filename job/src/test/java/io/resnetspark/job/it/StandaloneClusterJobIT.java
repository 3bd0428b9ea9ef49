package io.resnetspark.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.ExitCode;
import io.resnetspark.job.OutputTable;
import io.resnetspark.job.ReportFiles;
import io.resnetspark.job.RunReport;
import io.resnetspark.job.testing.StandaloneCluster;
import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.distribution.ModelBroadcasts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real Spark standalone cluster: a master and two workers of one core each, every one its own JVM on
 * 127.0.0.1, with this JVM as the driver (client deploy mode, the settings of conf/spark-defaults.cluster.conf and
 * conf/spark-defaults.gpu.conf). Each worker advertises one fake GPU through scripts/gpu-discovery.sh and each
 * executor asks for one, so the run also takes Spark's GPU scheduling path, and falls back to the CPU because no
 * CUDA device exists.
 *
 * <p>What local mode cannot show: the model crosses JVMs as one broadcast, each executor JVM loads it once, whatever
 * the number of partitions, the results are those of local mode, and a lost executor costs a retry, not rows.
 */
class StandaloneClusterJobIT {
  static final int GOOD = 16;
  /** More partitions than executors, so that each executor JVM runs several labelling tasks. */
  static final int PARTITIONS = 8;
  /** The executor-loss run: single-image batches over many partitions, so the kill lands mid-run. */
  static final int SLOW_IMAGES = 40;
  static final int SLOW_PARTITIONS = 10;
  /** Float32 rounding: about 30 ulps of a probability near 1. */
  static final float PROBABILITY_TOLERANCE = 2e-6f;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path runDir;

  static Path images;
  static Map<String, String> badCodes;
  static Map<String, Labelled> localMode;
  static StandaloneCluster cluster;
  static SparkSession spark;
  /** Broadcast pieces stored by the driver and each executor during the first run. */
  static Map<String, List<BroadcastTraffic.Piece>> firstRunPieces;
  /** The cluster application's first run: its transcript, report and rows. */
  static JobRun clusterRun;
  static RunReport clusterReport;
  static Map<String, Labelled> clusterMode;
  /** Executor JVMs during the first run, by Spark executor id. */
  static Map<String, Long> executorPids;

  /** One row as it matters for equality between runs. */
  record Labelled(String label, Integer index, Float probability, List<Integer> topIndices,
                  List<Float> topProbabilities, String errorCode) {
    static Labelled of(Row row) {
      List<Row> topK = row.isNullAt(row.fieldIndex(OutputTable.TOP_K)) ? List.of()
          : row.getList(row.fieldIndex(OutputTable.TOP_K));
      return new Labelled(row.getString(row.fieldIndex(OutputTable.LABEL)),
          (Integer) row.get(row.fieldIndex(OutputTable.INDEX)),
          (Float) row.get(row.fieldIndex(OutputTable.PROBABILITY)),
          topK.stream().map(t -> t.getInt(0)).toList(), topK.stream().map(t -> t.getFloat(2)).toList(),
          row.getString(row.fieldIndex(OutputTable.ERROR_CODE)));
    }
  }

  @BeforeAll
  static void labelLocallyThenStartTheClusterAndLabelThere() throws Exception {
    long begin = System.nanoTime();
    images = runDir.resolve("images");
    TestInputs.goodImages(images, GOOD, 7);
    badCodes = TestInputs.badImages(images.resolve("bad"));

    // The reference: the same job in local[2], in this JVM, before the cluster application exists.
    try (SparkSession local = SparkSession.builder().master("local[2]").appName("StandaloneClusterJobIT-local")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate()) {
      JobRun run = label(images, runDir.resolve("out/local"), "--run-id", "local");
      assertEquals(ExitCode.OK, run.exitCode(), run.transcript());
      localMode = read(local, runDir.resolve("out/local"));
      System.out.printf("[timing] local[2] reference run of %d files: %d ms%n", localMode.size(),
          run.wall().toMillis());
    }

    cluster = StandaloneCluster.builder(runDir).workers(2).coresPerWorker(1).gpusPerWorker(1).start();
    System.out.printf("[timing] cluster (master + 2 workers with a fake GPU each) started in %d ms%n",
        cluster.startTime().toMillis());
    long sessionStart = System.nanoTime();
    SparkSession.Builder builder = SparkSession.builder().appName("StandaloneClusterJobIT");
    cluster.sparkConf().forEach(builder::config);
    spark = builder.getOrCreate();
    BroadcastTraffic traffic = new BroadcastTraffic();
    spark.sparkContext().addSparkListener(traffic);
    System.out.printf("[timing] application with 2 executors ready in %d ms%n", millisSince(sessionStart));

    clusterRun = label(images, runDir.resolve("out/cluster"), "--run-id", "cluster");
    executorPids = cluster.executorPidsById();
    assertEquals(ExitCode.OK, clusterRun.exitCode(), clusterRun.transcript());
    // Listener events arrive asynchronously: let every event of the run be delivered.
    spark.sparkContext().listenerBus().waitUntilEmpty();
    spark.sparkContext().removeSparkListener(traffic);
    firstRunPieces = traffic.piecesByExecutor();
    clusterReport = RunReport.fromJson(Files.readString(runDir.resolve("out/cluster").resolve(ReportFiles.JSON)));
    clusterMode = read(spark, runDir.resolve("out/cluster"));
    System.out.printf("[timing] cluster run of %d files in %d partitions: %d ms%n%s", clusterMode.size(), PARTITIONS,
        clusterRun.wall().toMillis(), clusterRun.out());
    System.out.printf("[timing] StandaloneClusterJobIT setup: %d ms%n", millisSince(begin));
  }

  @AfterAll
  static void stopTheCluster() {
    try {
      if (spark != null) {
        spark.stop();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  static JobRun label(Path input, Path output, String... more) {
    List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--model", TestInputs.model().toString(),
        "--output", output.toString(), "--top-k", "3"));
    List<String> given = List.of(more);
    if (!given.contains("--partitions")) {
      args.addAll(List.of("--partitions", Integer.toString(PARTITIONS)));
    }
    if (!given.contains("--batch-size")) {
      args.addAll(List.of("--batch-size", "4"));
    }
    args.addAll(given);
    return JobRun.of(args);
  }

  static Map<String, Labelled> read(SparkSession session, Path output) {
    Map<String, Labelled> rows = new TreeMap<>();
    for (Row row : session.read().parquet(output.toString()).collectAsList()) {
      Labelled previous = rows.put(row.getString(row.fieldIndex(OutputTable.PATH)), Labelled.of(row));
      assertNull(previous, "two rows for " + row.getString(row.fieldIndex(OutputTable.PATH)));
    }
    return rows;
  }

  /** The executor JVM's pid in a {@code executorId/pid@host} key of the run report. */
  static long pid(String executorKey) {
    return Long.parseLong(executorKey.substring(executorKey.indexOf('/') + 1, executorKey.indexOf('@')));
  }

  static String executorId(String executorKey) {
    return executorKey.substring(0, executorKey.indexOf('/'));
  }

  @Test
  void theRunUsedTheTwoExecutorJvmsEachLoadingTheModelOnceForItsSeveralPartitions() throws IOException {
    Map<String, Long> loads = clusterReport.modelLoadsPerExecutor();
    assertEquals(2, loads.size(), "two executors: " + loads);
    loads.values().forEach(n -> assertEquals(1L, n, "one load per executor JVM: " + loads));
    Map<String, Long> reported = new TreeMap<>();
    loads.keySet().forEach(key -> reported.put(executorId(key), pid(key)));
    assertEquals(executorPids, reported, "the loads happened in the workers' executor JVMs");
    assertFalse(reported.containsValue(ProcessHandle.current().pid()), "not in the driver");
    assertEquals(PARTITIONS, clusterReport.partitions());

    // The executors' own logs agree: one "loaded model" line per executor JVM of this application.
    String loadedLine = "loaded model " + clusterReport.model().sha256();
    Map<String, Long> logged = new TreeMap<>();
    for (Path stderr : executorLogs()) {
      String executor = stderr.getParent().getFileName().toString();
      if (executorPids.containsKey(executor)) {
        logged.put(executor, Files.readAllLines(stderr).stream().filter(l -> l.contains(loadedLine)).count());
      }
    }
    Map<String, Long> once = new TreeMap<>();
    executorPids.keySet().forEach(id -> once.put(id, 1L));
    assertEquals(once, logged, "executor logs under " + cluster.clusterDir());
  }

  @Test
  void theModelTravelledToEachExecutorOnceAsTheChunksOfOneBroadcast() throws IOException {
    BroadcastModel model = ModelBroadcasts.get(spark, TestInputs.model().toString());
    assertEquals(clusterReport.model().sha256(), model.sha256(), "the driver's one broadcast of this model");
    Set<Long> modelIds = Set.copyOf(model.broadcastIds());
    Map<String, List<BroadcastTraffic.Piece>> pieces = firstRunPieces;

    Set<String> created = modelPieces(pieces.get("driver"), modelIds);
    assertFalse(created.isEmpty(), "the driver stored the model's pieces: " + pieces.keySet());
    assertEquals(executorPids.keySet(), new TreeMap<>(pieces).keySet().stream()
        .filter(id -> !id.equals("driver")).collect(Collectors.toSet()));
    for (String executor : executorPids.keySet()) {
      List<BroadcastTraffic.Piece> fetched = pieces.get(executor);
      List<String> modelFetches = fetched.stream().filter(p -> modelIds.contains(p.broadcastId()))
          .map(p -> p.broadcastId() + "/" + p.piece()).toList();
      assertEquals(created, Set.copyOf(modelFetches), "executor " + executor + " fetched every piece of the model");
      assertEquals(created.size(), modelFetches.size(), "and each piece once: " + modelFetches);
      long largestOther = fetched.stream().filter(p -> !modelIds.contains(p.broadcastId()))
          .mapToLong(BroadcastTraffic.Piece::bytes).max().orElse(0);
      assertTrue(largestOther < 1 << 20, "no other broadcast (task closures, configuration) carries the model: "
          + largestOther + " bytes");
    }
  }

  @Test
  void theClusterLabelsEveryFileAsLocalModeDoes() {
    assertEquals(localMode.keySet(), clusterMode.keySet(), "the same files");
    assertEquals(GOOD + badCodes.size(), clusterMode.size());
    double largestDifference = 0;
    for (Map.Entry<String, Labelled> entry : localMode.entrySet()) {
      Labelled local = entry.getValue();
      Labelled remote = clusterMode.get(entry.getKey());
      String file = entry.getKey();
      assertEquals(local.label(), remote.label(), file);
      assertEquals(local.index(), remote.index(), file);
      assertEquals(local.topIndices(), remote.topIndices(), file);
      assertEquals(local.errorCode(), remote.errorCode(), file);
      if (local.probability() != null) {
        // TensorFlow's thread pools differ (local[2]: one session for two task threads; here one per 1-core
        // executor), which may change float32 rounding in the last bits, never more.
        assertEquals(local.probability(), remote.probability(), PROBABILITY_TOLERANCE, file);
        for (int k = 0; k < local.topProbabilities().size(); k++) {
          assertEquals(local.topProbabilities().get(k), remote.topProbabilities().get(k), PROBABILITY_TOLERANCE, file);
          largestDifference = Math.max(largestDifference,
              Math.abs(local.topProbabilities().get(k) - remote.topProbabilities().get(k)));
        }
      }
    }
    System.out.printf("[cluster vs local] largest probability difference: %.3g%n", largestDifference);
    badCodes.forEach((name, code) -> assertEquals(code, clusterMode.get(
        images.resolve("bad").resolve(name).toUri().toString().replace("file:///", "file:/")).errorCode(), name));
  }

  @Test
  void theRunReportShowsEachExecutorsGpuAddressAndItsFallBackToTheCpu() {
    Map<String, RunReport.Executor> executors = clusterReport.executors();
    assertEquals(clusterReport.modelLoadsPerExecutor().keySet(), executors.keySet());
    Set<String> advertised = new HashSet<>(cluster.gpuAddresses(1));
    advertised.addAll(cluster.gpuAddresses(2));
    Set<String> chosen = new HashSet<>();
    for (RunReport.Executor executor : executors.values()) {
      assertNotNull(executor.gpuAddress(), "Spark assigned a GPU: " + executor);
      chosen.add(executor.gpuAddress());
      assertEquals(List.of("/device:CPU:0"), executor.devices(), "TensorFlow ran the network on the CPU");
      assertTrue(executor.cpuFallback().startsWith("no CUDA device: Spark assigned GPU " + executor.gpuAddress()),
          executor.cpuFallback());
    }
    assertEquals(Set.of("0", "1"), advertised, "the discovery script's fake addresses");
    assertEquals(advertised, chosen, "each executor chose its own worker's GPU");
    assertTrue(clusterRun.out().contains("no CUDA device: CPU fallback"), clusterRun.out());
  }

  @Test
  void anExecutorKilledDuringInferenceCostsARetryNotRows() throws Exception {
    Path slow = runDir.resolve("slow");
    TestInputs.goodImages(slow, SLOW_IMAGES, 8);
    Path output = runDir.resolve("out/survived");
    LabellingProgress progress = new LabellingProgress(SLOW_PARTITIONS);
    spark.sparkContext().addSparkListener(progress);
    JobRun run;
    long victim;
    try {
      CompletableFuture<JobRun> running = JobRun.start(arguments(slow, output, "--batch-size", "1",
          "--partitions", Integer.toString(SLOW_PARTITIONS), "--run-id", "survivor"));
      assertTrue(progress.awaitFirstPartitionWritten(3, TimeUnit.MINUTES, () -> !running.isDone()),
          "no partition written while the run went on");
      victim = busyExecutor(progress);
      long killedAt = System.nanoTime();
      cluster.killExecutor(victim);
      run = running.get(5, TimeUnit.MINUTES);
      System.out.printf("[timing] run finished %d ms after SIGKILL of executor pid %d, %d failed task(s)%n%s",
          millisSince(killedAt), victim, progress.failedTasks(), run.out());
    } finally {
      spark.sparkContext().removeSparkListener(progress);
    }

    assertEquals(ExitCode.OK, run.exitCode(), run.transcript());
    assertFalse(ProcessHandle.of(victim).map(ProcessHandle::isAlive).orElse(false), "the executor is gone");
    assertTrue(progress.failedTasks() >= 1, "the victim's running task was lost and ran again");
    Map<String, Labelled> rows = read(spark, output);
    Set<String> expected = TestInputs.files(slow).stream().map(p -> p.toUri().toString().replace("file:///", "file:/"))
        .collect(Collectors.toSet());
    assertEquals(expected, rows.keySet(), "every input exactly once");
    rows.values().forEach(r -> assertNull(r.errorCode(), "no row became an error: " + r));
    RunReport report = RunReport.fromJson(Files.readString(output.resolve(ReportFiles.JSON)));
    assertEquals(SLOW_IMAGES, report.counts().rowsWritten(), "the lost task's rows are not counted twice");
    // The application's loads so far (the model's broadcast counts them since the first run): the first run's two
    // executors, and the replacement the master started for the victim if a task reached it. One each.
    Map<String, Long> loads = report.modelLoadsPerExecutor();
    Set<String> firstRun = clusterReport.modelLoadsPerExecutor().keySet();
    assertTrue(loads.keySet().containsAll(firstRun), "the first run's executors " + firstRun + ": " + loads);
    Set<String> replacements = new HashSet<>(loads.keySet());
    replacements.removeAll(firstRun);
    assertTrue(replacements.size() <= 1, "one replacement executor at most: " + loads);
    replacements.forEach(key -> assertTrue(pid(key) != victim && cluster.executorPids().contains(pid(key)),
        "the replacement is a new executor JVM of the cluster: " + key));
    loads.values().forEach(n -> assertEquals(1L, n, "still one load per executor JVM: " + loads));
  }

  /** The pid of an executor running a labelling task now; waits briefly if both are between tasks. */
  static long busyExecutor(LabellingProgress progress) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (Map.Entry<String, Long> executor : cluster.executorPidsById().entrySet()) {
        if (progress.runningTasks(executor.getKey()) > 0) {
          return executor.getValue();
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no executor is running a labelling task");
  }

  static List<String> arguments(Path input, Path output, String... more) {
    List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--model", TestInputs.model().toString(),
        "--output", output.toString(), "--top-k", "3"));
    args.addAll(List.of(more));
    return args;
  }

  /** The model's pieces among {@code pieces}, as {@code broadcastId/pieceN}. */
  static Set<String> modelPieces(List<BroadcastTraffic.Piece> pieces, Set<Long> modelIds) {
    return pieces == null ? Set.of() : pieces.stream().filter(p -> modelIds.contains(p.broadcastId()))
        .map(p -> p.broadcastId() + "/" + p.piece()).collect(Collectors.toSet());
  }

  /** stderr of each executor of this application: {@code work/<worker>/<app id>/<executor id>/stderr}. */
  static List<Path> executorLogs() {
    return List.copyOf(cluster.executorLogs(spark.sparkContext().applicationId()).values());
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
