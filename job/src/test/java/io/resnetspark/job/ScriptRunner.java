package io.resnetspark.job;

import io.resnetspark.job.testing.ProjectFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a script of a checkout as a user would, keeping its exit code and everything it printed. */
final class ScriptRunner {
  private ScriptRunner() {
  }

  record Result(int code, String output) {
  }

  /** Runs {@code root/scripts/name args} in {@code root}, output (stdout and stderr) to a log file. */
  static Result run(Path root, String name, List<String> args, Map<String, String> env, Duration timeout, Path log)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("scripts").resolve(name).toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
      throw new AssertionError(name + " did not finish within " + timeout + ":\n" + tail(log));
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  /** Runs a script of this checkout. */
  static Result run(String name, List<String> args, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    return run(ProjectFiles.root(), name, args, env, Duration.ofMinutes(2), log);
  }

  static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
