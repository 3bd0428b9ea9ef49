package io.resnetspark.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.ExitCode;
import io.resnetspark.job.testing.S3ATestConf;
import io.resnetspark.job.testing.S3Credentials;
import io.resnetspark.job.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose S3 secret is wrong (a stale key, a typo in the environment): the server answers 403, and the job must
 * say so on the driver, in one line, before Spark starts any job, so no executor time is spent and nothing is
 * written. The server holds a real lake; only the client's secret differs.
 */
class WrongCredentialIT {
  static final String BUCKET = S3ProxyServer.DEFAULT_BUCKET;
  /** S3A does not retry 403 (conf/spark-s3a.conf); anything slower means it is retrying or hanging. */
  static final Duration PROMPT = Duration.ofSeconds(30);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path runDir;

  static S3ProxyServer server;
  static S3Credentials wrong;
  static SparkSession spark;

  @BeforeAll
  static void aLakeAndADriverWithTheWrongSecret() {
    server = S3ProxyServer.start(runDir);
    Path images = runDir.resolve("images");
    TestInputs.goodImages(images, 3, 5);
    server.uploadDirectory(images, BUCKET, "lake/images");
    server.uploadDirectory(TestInputs.model(), BUCKET, "models/r18");
    wrong = server.credentials().withWrongSecret();
    SparkSession.Builder builder = SparkSession.builder()
        .master("local[2]")
        .appName("WrongCredentialIT")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false");
    S3ATestConf.forEndpoint(server.endpoint(), wrong).forEach(builder::config);
    builder.config(S3ATestConf.DISABLE_CACHE, "false");
    spark = builder.getOrCreate();
  }

  @AfterAll
  static void stop() throws IOException {
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

  /** Counts what the scheduler started: Spark jobs and tasks. */
  static final class StartedWork extends SparkListener {
    final AtomicInteger jobs = new AtomicInteger();
    final AtomicInteger tasks = new AtomicInteger();

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
      jobs.incrementAndGet();
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart taskStart) {
      tasks.incrementAndGet();
    }
  }

  @Test
  void aWrongSecretIsAOneLineConfigurationErrorOnTheDriverBeforeAnySparkJobStarts() throws Exception {
    StartedWork started = new StartedWork();
    spark.sparkContext().addSparkListener(started);
    JobRun run;
    try {
      run = JobRun.of(List.of("--input", "s3a://" + BUCKET + "/lake/images/", "--model",
          "s3a://" + BUCKET + "/models/r18", "--output", "s3a://" + BUCKET + "/lake/labels", "--mode", "overwrite"));
      // Listener events arrive asynchronously: let every event posted so far be delivered before counting.
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(started);
    }
    System.out.printf("[timing] wrong credential rejected after %d ms: %s", run.wall().toMillis(), run.err());

    assertEquals(ExitCode.CONFIG_ERROR, run.exitCode(), run.transcript());
    List<String> lines = run.err().lines().toList();
    assertEquals(1, lines.size(), "one line: " + run.err());
    String error = lines.get(0);
    assertTrue(error.startsWith("error: "), error);
    assertTrue(error.contains("403"), "names the server's answer: " + error);
    assertTrue(error.contains("credentials"), "names the likely cause: " + error);
    assertFalse(error.contains(wrong.secretKey()) || error.contains(server.credentials().secretKey()),
        "no secret in the message");
    assertEquals(0, started.jobs.get(), "no Spark job started");
    assertEquals(0, started.tasks.get(), "no task started");
    assertTrue(run.wall().compareTo(PROMPT) < 0, "not retried: " + run.wall());
    assertEquals(List.of(), server.listKeys(BUCKET, "lake/labels"), "nothing written");
  }
}
