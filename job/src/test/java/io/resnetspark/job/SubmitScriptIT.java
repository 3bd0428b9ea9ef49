package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.job.testing.StandaloneCluster;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar submitted with scripts/submit.sh to a standalone cluster of two executor JVMs: the shaded
 * jar carries everything the executors need, each executor loads the model once, and the rows arrive.
 */
class SubmitScriptIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void labelsImagesOnAStandaloneCluster() throws Exception {
    Path images = dir.resolve("images");
    TestData.goodImages(images, 8, 31);
    Map<String, String> badCodes = TestData.badImages(images.resolve("bad"));
    Path output = dir.resolve("labels");
    try (StandaloneCluster cluster = StandaloneCluster.builder(dir.resolve("run")).workers(2).start()) {
      List<String> args = new ArrayList<>(List.of("--master", cluster.masterUrl(),
          "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=180s", "--",
          "--input", images.toString(), "--model", TestData.model().toString(), "--output", output.toString(),
          "--partitions", "4", "--batch-size", "2", "--run-id", "cluster-1"));
      Map<String, String> env = Map.of("RESNET_SPARK_RUN_DIR", dir.resolve("run").toString(),
          // The Spark jars of this build, so the script does not call Maven inside this Maven build.
          "RESNET_SPARK_DIST_CLASSPATH", Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
              .filter(e -> e.endsWith(".jar")).collect(Collectors.joining(File.pathSeparator)));
      ScriptRunner.Result r = ScriptRunner.run(io.resnetspark.job.testing.ProjectFiles.root(), "submit.sh", args,
          env, Duration.ofMinutes(15), dir.resolve("submit.log"));
      assertEquals(0, r.code(), r.output());
      assertTrue(r.output().contains("12 seen, 0 skipped (already labelled), 12 written: 8 labelled, 4 errors"),
          r.output());
    }
    SparkSession spark = TestSpark.session();
    assertEquals(12, new OutputTable(output.toString(), JobOptions.OutputFormat.PARQUET).read(spark).count());
    JsonNode report = new ObjectMapper().readTree(output.resolve(ReportFiles.JSON).toFile());
    assertTrue(report.at("/spark/master").asText().startsWith("spark://127.0.0.1:"), report.toString());
    JsonNode loads = report.at("/model_loads_per_executor");
    assertEquals(2, loads.size(), "both executor JVMs labelled: " + loads);
    loads.forEach(n -> assertEquals(1, n.asLong(), "one model load per executor JVM: " + loads));
    assertEquals(badCodes.size(), report.at("/counts/errors").asLong());
  }
}
