package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.ProjectFiles;
import io.resnetspark.job.testing.StandaloneCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar as a user runs it: scripts/submit.sh sends the shaded jar to a standalone cluster whose
 * master, workers and executors have only the jars of a Spark binary distribution (module
 * {@code spark-distribution}: no TF Java, no hadoop-aws, nothing of this project), and so does the driver's
 * spark-submit. A class the shaded jar misses fails the run here as it would on a user's cluster.
 */
@ExtendWith(TestSpark.class)
class SubmitScriptIT {
  static final int GOOD = 20;
  /** Few partitions of many single-image batches: each task lasts long enough for the kill to land inside one. */
  static final int PARTITIONS = 4;
  static final String LOADED = "loaded model ";
  /** Jars that a Spark distribution does not ship and the application jar must carry. */
  static final List<String> NOT_SPARKS = List.of("tensorflow-", "protobuf-java-", "hadoop-aws-", "picocli-",
      "imageio-", "s3-", "model-builder-", "udf-", "job-");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void theShadedJarLabelsEveryFileOnceOnSparksOwnJarsThoughAnExecutorIsKilledMidRun() throws Exception {
    long begin = System.nanoTime();
    Path images = dir.resolve("images");
    TestData.goodImages(images, GOOD, 96, 31);
    Path photo = TestData.photo(images.resolve("photos/phone.jpg"), 5);
    Map<String, String> badCodes = TestData.badImages(images.resolve("bad"), true);
    int files = GOOD + 1 + badCodes.size();
    Path output = dir.resolve("labels");
    Path run = dir.resolve("run");
    Path jar = Path.of(System.getProperty("resnet.spark.job.jar"));
    assertTrue(Files.isRegularFile(jar), "the shaded jar of this build's package phase: " + jar);

    ScriptRunner.Result result;
    long victim;
    String application;
    Map<String, Long> executorsAtTheKill;
    try (StandaloneCluster cluster = StandaloneCluster.builder(run).workers(2).sparkDistributionOnly().start()) {
      List<String> jars = cluster.jars();
      assertTrue(jars.stream().anyMatch(j -> j.startsWith("spark-mllib_")), "Spark's jars: " + jars);
      assertTrue(jars.stream().anyMatch(j -> j.startsWith("hadoop-client-runtime-")), "Spark's Hadoop: " + jars);
      assertEquals(List.of(), jars.stream().filter(j -> NOT_SPARKS.stream().anyMatch(j::startsWith)).toList(),
          "the cluster has nothing a Spark distribution lacks");
      System.out.printf("[timing] cluster of %d Spark jars started in %d ms%n", jars.size(),
          cluster.startTime().toMillis());

      List<String> args = List.of("--master", cluster.masterUrl(), "--jar", jar.toString(),
          "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=180s", "--",
          "--input", images.toString(), "--model", TestData.model().toString(), "--output", output.toString(),
          "--partitions", Integer.toString(PARTITIONS), "--batch-size", "1", "--run-id", "cluster-1");
      // The driver's spark-submit runs on the same distribution's jars and the application jar, nothing else.
      Map<String, String> env = Map.of("RESNET_SPARK_RUN_DIR", run.toString(),
          "RESNET_SPARK_DIST_CLASSPATH", StandaloneCluster.sparkDistributionClassPath());
      CompletableFuture<ScriptRunner.Result> submitted = submit(args, env, dir.resolve("submit.log"));

      // An executor that logged the model's load is inside its first labelling task (the load happens there), with
      // the rest of that partition and the other partitions still to do.
      cluster.awaitExecutors(2, Duration.ofMinutes(3));
      victim = awaitModelLoaded(cluster, submitted);
      application = cluster.applicationOf(victim);
      executorsAtTheKill = cluster.executorPidsById();
      long killedAt = System.nanoTime();
      cluster.killExecutor(victim);
      result = submitted.get(10, TimeUnit.MINUTES);
      System.out.printf("[timing] submit.sh finished %d ms after the SIGKILL of executor pid %d%n",
          (System.nanoTime() - killedAt) / 1_000_000, victim);

      assertEquals(0, result.code(), result.output());
      assertTrue(result.output().contains(files + " seen, 0 skipped (already labelled), " + files + " written: "
          + (GOOD + 1) + " labelled, " + badCodes.size() + " errors"), result.output());
      String victimId = executorsAtTheKill.entrySet().stream().filter(e -> e.getValue() == victim)
          .map(Map.Entry::getKey).findFirst().orElseThrow();
      assertTrue(result.output().lines().anyMatch(l -> l.contains("Lost task") && l.contains("executor " + victimId
          + "):")), "the victim was running a labelling task, which ran again elsewhere:\n" + result.output());

      // Every executor JVM of the application loaded the model at most once, and each of the two that ran at the
      // kill exactly once: the victim before it died, the survivor for all its partitions.
      Map<String, Long> loadsLogged = new HashMap<>();
      cluster.executorLogs(application).forEach((id, stderr) -> loadsLogged.put(id, countLines(stderr, LOADED)));
      assertTrue(loadsLogged.keySet().containsAll(executorsAtTheKill.keySet()), loadsLogged.toString());
      executorsAtTheKill.keySet().forEach(id -> assertEquals(1L, loadsLogged.get(id), "executor " + id
          + " loaded the model once: " + loadsLogged));
      loadsLogged.values().forEach(n -> assertTrue(n <= 1, "no executor loaded it twice: " + loadsLogged));

      lakeTablesFromTheShadedJar(cluster, jar, env);
    }

    List<Row> rows = new OutputTable(output.toString(), JobOptions.OutputFormat.PARQUET).read(TestSpark.session())
        .collectAsList();
    Map<String, Row> byPath = rows.stream().collect(Collectors.toMap(r -> r.getString(r.fieldIndex(OutputTable.PATH)),
        r -> r));
    assertEquals(files, rows.size(), "one row per file, none twice");
    assertEquals(inputPaths(images), byPath.keySet(), "every file labelled");
    badCodes.forEach((name, code) -> assertEquals(code, errorCode(byPath, images.resolve("bad").resolve(name)), name));
    assertNull(errorCode(byPath, photo), "the 12 MP photo is labelled");

    // The report counts the loads of tasks that succeeded: the victim's died with its task, so the executors
    // reported are the survivor and, if a retried task reached it, the replacement the master started.
    RunReport report = RunReport.fromJson(Files.readString(output.resolve(ReportFiles.JSON)));
    Map<String, Long> loads = report.modelLoadsPerExecutor();
    String survivor = executorsAtTheKill.entrySet().stream().filter(e -> e.getValue() != victim)
        .map(e -> e.getKey() + "/" + e.getValue() + "@").findFirst().orElseThrow();
    assertTrue(loads.keySet().stream().anyMatch(k -> k.startsWith(survivor)), "the survivor " + survivor + ": "
        + loads);
    assertTrue(loads.size() <= 3, "the two executors and one replacement at most: " + loads);
    loads.values().forEach(n -> assertEquals(1L, n, "one model load per executor JVM: " + loads));
    assertTrue(report.spark().master().startsWith("spark://127.0.0.1:"), report.spark().master());
    System.out.printf("[timing] SubmitScriptIT: %d ms%n", (System.nanoTime() - begin) / 1_000_000);
  }

  /**
   * Iceberg and Delta output from the shaded jar on the same cluster: what both formats need (Iceberg's runtime,
   * Delta's storage layer, their SQL extensions) must come from the application jar, since Spark's own jars carry
   * neither. Each table is created, then merged with one new file, and read back here with plain Spark.
   */
  void lakeTablesFromTheShadedJar(StandaloneCluster cluster, Path jar, Map<String, String> env) throws Exception {
    Path warehouse = dir.resolve("warehouse");
    Path delta = dir.resolve("delta-labels");
    Map<String, List<String>> outputs = Map.of(
        "iceberg", List.of("--output-format", "iceberg", "--warehouse", warehouse.toString(), "--output", "db.labels"),
        "delta", List.of("--output-format", "delta", "--output", delta.toString()));
    for (Map.Entry<String, List<String>> output : outputs.entrySet()) {
      Path images = dir.resolve("images-" + output.getKey());
      TestData.goodImages(images, 3, 64, 41);
      for (int run = 1; run <= 2; run++) {
        if (run == 2) {
          TestData.goodImages(images.resolve("tuesday"), 1, 64, 42);
        }
        List<String> args = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--jar", jar.toString(), "--",
            "--input", images.toString(), "--model", TestData.model().toString(), "--mode", "incremental",
            "--run-id", output.getKey() + "-" + run));
        args.addAll(output.getValue());
        ScriptRunner.Result result = submit(args, env, dir.resolve(output.getKey() + "-" + run + ".log"))
            .get(10, TimeUnit.MINUTES);
        assertEquals(0, result.code(), result.output());
        String merged = run == 1 ? "3 rows inserted, 0 updated, 0 deleted, 0 unchanged"
            : "1 rows inserted, 0 updated, 0 deleted, 3 unchanged";
        assertTrue(result.output().contains(merged), output.getKey() + " run " + run + ":\n" + result.output());
      }
    }
    assertEquals(4, TestSpark.session().read().format("iceberg").load(warehouse.resolve("db/labels").toString())
        .count(), "the Iceberg table, read by path");
    assertEquals(4, TestSpark.session().read().format("delta").load(delta.toString()).count(), "the Delta table");
  }

  /** Runs submit.sh on a thread of its own, so the test can act on the cluster while the job runs. */
  static CompletableFuture<ScriptRunner.Result> submit(List<String> args, Map<String, String> env, Path log) {
    CompletableFuture<ScriptRunner.Result> result = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        result.complete(ScriptRunner.run(ProjectFiles.root(), "submit.sh", args, env, Duration.ofMinutes(10), log));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "submit-script");
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  /** The pid of the first executor whose log says it loaded the model. */
  static long awaitModelLoaded(StandaloneCluster cluster, CompletableFuture<?> submitted)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline && !submitted.isDone()) {
      for (Map.Entry<String, Long> executor : cluster.executorPidsById().entrySet()) {
        String application;
        try {
          application = cluster.applicationOf(executor.getValue());
        } catch (IllegalArgumentException gone) {
          continue;
        }
        Path stderr = cluster.executorLogs(application).get(executor.getKey());
        if (stderr != null && countLines(stderr, LOADED) > 0) {
          return executor.getValue();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no executor loaded the model" + (submitted.isDone() ? " before the run ended" : ""));
  }

  static long countLines(Path file, String text) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(l -> l.contains(text)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Set<String> inputPaths(Path images) throws IOException {
    try (Stream<Path> files = Files.walk(images)) {
      return files.filter(Files::isRegularFile).map(SubmitScriptIT::rowPath).collect(Collectors.toSet());
    }
  }

  /** A file's path as the job writes it: Hadoop's {@code file:/...} form. */
  static String rowPath(Path file) {
    return file.toUri().toString().replace("file:///", "file:/");
  }

  static String errorCode(Map<String, Row> byPath, Path file) {
    Row row = byPath.get(rowPath(file));
    assertTrue(row != null, "a row for " + file);
    return row.getString(row.fieldIndex(OutputTable.ERROR_CODE));
  }
}
