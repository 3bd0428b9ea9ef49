package io.resnetspark.job.it;

import io.resnetspark.job.LabelImagesJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One run of the job in this JVM, as {@code spark-submit} would run its main class, with what it printed. The job
 * uses the active Spark session, so the calling test decides master and S3 settings exactly as spark-submit's
 * configuration would.
 */
record JobRun(int exitCode, String out, String err, Duration wall) {

  static JobRun of(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long begin = System.nanoTime();
    int code = LabelImagesJob.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new JobRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
        Duration.ofNanos(System.nanoTime() - begin));
  }

  /**
   * Starts a run on a thread of its own, for tests that act while it runs. Not on the common fork-join pool: on a
   * 2-core machine that has one thread, which the libraries of the run itself may occupy.
   */
  static CompletableFuture<JobRun> start(List<String> args) {
    CompletableFuture<JobRun> result = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        result.complete(of(args));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "label-images-job");
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  /** For assertion messages: the exit code and everything printed. */
  String transcript() {
    return "exit " + exitCode + " after " + wall.toMillis() + " ms\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
