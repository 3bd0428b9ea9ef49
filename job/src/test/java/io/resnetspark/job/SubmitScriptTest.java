package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.ProjectFiles;
import io.resnetspark.job.testing.Scripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/submit.sh turns its options and the conf/ files into one spark-submit command. Checked here with
 * --print-command; SubmitScriptIT submits for real to a standalone cluster.
 */
class SubmitScriptTest {
  static final List<String> JOB = List.of("--", "--input", "/data/images", "--model", "/models/r50", "--output",
      "/data/labels");

  @TempDir
  Path runDir;

  ScriptRunner.Result submit(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of(args));
    return ScriptRunner.run("submit.sh", all, Map.of("RESNET_SPARK_RUN_DIR", runDir.toString(), "SPARK_SUBMIT",
        "/opt/spark/bin/spark-submit"), runDir.resolve("submit.log"));
  }

  ScriptRunner.Result print(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--print-command");
    all.addAll(JOB);
    ScriptRunner.Result r = submit(all.toArray(String[]::new));
    assertEquals(0, r.code(), r.output());
    return r;
  }

  Map<String, String> merged() {
    return Scripts.readSparkConf(runDir.resolve("submit/spark-submit.conf"));
  }

  @Test
  void aStandaloneSubmissionUsesTheClusterTemplateAndPassesTheJobOptionsAfterTheJar()
      throws IOException, InterruptedException {
    String command = print("--master", "spark://127.0.0.1:7077").output().lines()
        .filter(l -> l.startsWith("/opt/spark")).findFirst().orElseThrow();
    assertTrue(command.startsWith("/opt/spark/bin/spark-submit --master spark://127.0.0.1:7077 --deploy-mode client "
        + "--class io.resnetspark.job.LabelImagesJob --properties-file " + runDir.resolve("submit/spark-submit.conf")),
        command);
    assertTrue(command.contains("--files " + ProjectFiles.conf("log4j2.properties")), command);
    assertTrue(command.contains("--driver-java-options -Dlog4j2.configurationFile=file:"), command);
    assertTrue(command.endsWith("job/target/job-0.1.0-SNAPSHOT.jar --input /data/images --model /models/r50 "
        + "--output /data/labels "), command);
    Map<String, String> conf = merged();
    Map<String, String> template = Scripts.readSparkConf(ProjectFiles.conf("spark-defaults.cluster.conf"));
    assertEquals(template.get("spark.executor.memory"), conf.get("spark.executor.memory"));
    assertEquals("127.0.0.1", conf.get("spark.driver.host"), "a loopback master keeps the loopback driver address");
    assertFalse(conf.containsKey("spark.master"), "--master decides, not a file");
    assertFalse(conf.containsKey("spark.submit.deployMode"));
  }

  @Test
  void yarnWithS3aAndGpusMergesTheirFilesAndDropsTheLoopbackAddress() throws IOException, InterruptedException {
    String out = print("--master", "yarn", "--deploy-mode", "cluster", "--s3a", "--gpu", "--jar",
        "s3a://bucket/job.jar", "--conf", "spark.executor.instances=8").output();
    assertTrue(out.contains("--master yarn --deploy-mode cluster"), out);
    assertTrue(out.contains("--conf spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=log4j2.properties"),
        "in cluster mode the driver reads the shipped file: " + out);
    assertTrue(out.contains("--conf spark.executor.instances=8 s3a://bucket/job.jar --input"), out);
    Map<String, String> conf = merged();
    assertEquals("magic", conf.get("spark.hadoop.fs.s3a.committer.name"));
    assertEquals("1", conf.get("spark.executor.resource.gpu.amount"));
    assertFalse(conf.containsKey("spark.driver.host"), "executors on other machines cannot reach 127.0.0.1");
  }

  @Test
  void laterPropertiesFilesWin() throws IOException, InterruptedException {
    Path mine = Files.writeString(runDir.resolve("mine.conf"), "spark.executor.memory 6g\n");
    print("--master", "spark://10.0.0.5:7077", "--properties", mine.toString());
    assertEquals("6g", merged().get("spark.executor.memory"));
  }

  @Test
  void kubernetesNeedsAnImage() throws IOException, InterruptedException {
    ScriptRunner.Result r = submit("--master", "k8s://https://k8s:6443", "--print-command", "--input", "x");
    assertEquals(1, r.code());
    assertTrue(r.output().contains("error: Kubernetes needs a container image: --image IMAGE"), r.output());
    String ok = print("--master", "k8s://https://k8s:6443", "--image", "registry/resnet-spark:0.1.0").output();
    assertTrue(ok.contains("--conf spark.kubernetes.container.image=registry/resnet-spark:0.1.0"), ok);
  }

  @Test
  void argumentErrorsSayWhatToFix() throws IOException, InterruptedException {
    assertError(submit("--input", "x"), "--master is required");
    assertError(submit("--master", "mesos://x", "--input", "x"), "--master must be spark://host:port, yarn or k8s");
    assertError(submit("--master", "yarn", "--deploy-mode", "remote", "--input", "x"),
        "--deploy-mode must be client or cluster");
    assertError(submit("--master", "yarn", "--conf", "spark.x", "--input", "x"), "--conf takes KEY=VALUE");
    assertError(submit("--master", "yarn", "--properties", "/nope.conf", "--input", "x"),
        "no such properties file: /nope.conf");
    assertError(submit("--master", "yarn"), "no job options");
  }

  @Test
  void helpDescribesEveryOption() throws IOException, InterruptedException {
    ScriptRunner.Result r = submit("--help");
    assertEquals(0, r.code());
    for (String option : List.of("--master", "--deploy-mode", "--gpu", "--s3a", "--properties", "--conf", "--jar",
        "--image", "--print-command", "SPARK_HOME", "SPARK_SUBMIT")) {
      assertTrue(r.output().contains(option), option);
    }
  }

  static void assertError(ScriptRunner.Result r, String message) {
    assertEquals(1, r.code(), r.output());
    assertTrue(r.output().contains("error: " + message), r.output());
  }
}
