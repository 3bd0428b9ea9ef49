package io.resnetspark.job.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The job in a JVM of its own (to be killed, or to race another run), with this JVM's class path and flags. */
public final class JobProcess {
  private JobProcess() {
  }

  /** Starts {@code io.resnetspark.job.LabelImagesJob} with {@code args}; stdout and stderr go to {@code log}. */
  public static Process start(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--add-") || flag.startsWith("-XX:+IgnoreUnrecognized") || flag.startsWith("-Djdk.")
          || flag.startsWith("-Dlog4j2.")) {
        command.add(flag);
      }
    }
    command.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"),
        "io.resnetspark.job.LabelImagesJob"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.start();
  }
}
