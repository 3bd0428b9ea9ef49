package io.resnetspark.job.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Runs the repository's shell scripts and reads the files they leave behind. The fixtures drive the same
 * {@code scripts/start-*.sh} a developer and {@code .ci/run} use, so the scripts are tested with them.
 */
public final class Scripts {

    private Scripts() {
    }

    /**
     * Runs {@code scripts/<name>} to completion and returns what it printed (stdout and stderr). The scripts
     * start daemons detached with their output in log files, so the pipe closes when the script exits.
     *
     * @throws IllegalStateException with the script's output if it fails or overruns the timeout
     */
    public static String run(String name, List<String> args, Map<String, String> env, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(ProjectFiles.script(name).toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(ProjectFiles.root().toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copy(process.getInputStream(), output), "script-output-" + name);
            reader.setDaemon(true);
            reader.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                reader.join(1_000);
                throw new IllegalStateException(name + " did not finish within " + timeout + ":\n" + text(output));
            }
            reader.join(5_000);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        name + " " + String.join(" ", args) + " exited with " + process.exitValue() + ":\n"
                                + text(output));
            }
            return text(output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + name, e);
        }
    }

    /** A state file of {@code KEY=VALUE} lines as written by {@code rs_write_env} in scripts/lib/common.sh. */
    public static Map<String, String> readState(Path file) {
        Map<String, String> state = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    state.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state file " + file, e);
        }
        return state;
    }

    /**
     * A Spark properties file ({@code conf/spark-*.conf}) read the way spark-submit reads
     * {@code --properties-file}: {@link Properties} syntax, values trimmed.
     */
    public static Map<String, String> readSparkConf(Path file) {
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Spark properties file " + file, e);
        }
        Map<String, String> conf = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted()
                .forEach(key -> conf.put(key, properties.getProperty(key).trim()));
        return conf;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException ignored) {
            // The process was destroyed; what was read so far is reported.
        }
    }

    private static String text(ByteArrayOutputStream output) {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }
}
