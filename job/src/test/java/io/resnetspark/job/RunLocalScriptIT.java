package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.job.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/run-local.sh as a new user runs it: on a copy of the repository without any build output, it builds
 * the job jar, writes the sample set (photographs, drawings, broken files), labels it and prints the summary and
 * the first rows. Uses a ResNet-18 with random weights (the README's command builds a ResNet-50 with torchvision's
 * weights, which needs internet access).
 */
class RunLocalScriptIT {
  /** Build output and local state: what a fresh checkout does not have. */
  static final Set<String> NOT_IN_A_CHECKOUT = Set.of("target", ".git", ".run", "work-local");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void buildsEverythingItNeedsAndLabelsTheSampleImages() throws Exception {
    Path checkout = copyOfTheRepository(dir.resolve("checkout"));
    assertFalse(Files.exists(checkout.resolve("job/target")));
    Path runDir = dir.resolve("run");
    Map<String, String> env = Map.of("RESNET_SPARK_RUN_DIR", runDir.toString(), "RUN_LOCAL_JAVA_OPTS", "-Xmx2g");

    ScriptRunner.Result r = ScriptRunner.run(checkout, "run-local.sh", List.of("--arch", "resnet18",
        "--num-classes", "10", "--batch-size", "4"), env, Duration.ofMinutes(25), dir.resolve("run-local.log"));
    assertEquals(0, r.code(), r.output());
    String out = r.output();
    assertTrue(out.contains("building the job jar with Maven"), out);
    assertTrue(out.contains("wrote 14 sample files to " + runDir.resolve("sample-images")
        + ": 5 photographs, 6 drawings, 3 broken files"), out);
    assertTrue(out.contains("14 seen, 0 skipped (already labelled), 14 written: 11 labelled, 3 errors"), out);
    assertTrue(out.contains("RANDOM WEIGHTS: the labels below are meaningless"), out);
    assertTrue(out.contains("first 10 rows of this run:"), out);
    assertTrue(out.contains("The labels are in " + runDir.resolve("labels") + " (Parquet)"), out);
    JsonNode report = new ObjectMapper().readTree(runDir.resolve("labels").resolve(ReportFiles.JSON).toFile());
    assertEquals(11, report.at("/counts/labelled").asLong());
    assertEquals("overwrite", report.at("/output/mode").asText(), "its own output directory is replaced each run");

    // The README's nightly Iceberg run: the second night finds every file labelled and commits nothing.
    Path samples = runDir.resolve("sample-images");
    List<String> nightly = List.of("--model", TestData.model().toString(), "--input", samples.toString(),
        "--output-format", "iceberg", "--warehouse", dir.resolve("warehouse").toString(), "--output", "vision.labels",
        "--mode", "incremental");
    ScriptRunner.Result monday = ScriptRunner.run(checkout, "run-local.sh", nightly, env, Duration.ofMinutes(10),
        dir.resolve("monday.log"));
    assertEquals(0, monday.code(), monday.output());
    assertTrue(monday.output().contains("14 rows inserted, 0 updated, 0 deleted, 0 unchanged"), monday.output());
    assertTrue(monday.output().contains("VERSION AS OF"), "the query that reads this run: " + monday.output());
    ScriptRunner.Result tuesday = ScriptRunner.run(checkout, "run-local.sh", nightly, env, Duration.ofMinutes(10),
        dir.resolve("tuesday.log"));
    assertEquals(0, tuesday.code(), tuesday.output());
    assertTrue(tuesday.output().contains("0 rows inserted, 0 updated, 0 deleted, 14 unchanged"), tuesday.output());

    ScriptRunner.Result help = ScriptRunner.run(checkout, "run-local.sh", List.of("--help"), env,
        Duration.ofMinutes(5), dir.resolve("help.log"));
    assertEquals(0, help.code(), help.output());
    assertFalse(help.output().contains("building the job jar"), "a built jar is reused: " + help.output());
    assertTrue(help.output().contains("Usage: scripts/run-local.sh"), help.output());
    assertTrue(help.output().contains("Usage: label-images"), "then the job's own options: " + help.output());
  }

  /** The repository's files without build output, as `git clone` would give them. */
  static Path copyOfTheRepository(Path target) throws IOException {
    Path root = ProjectFiles.root();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path relative = root.relativize(source);
        if (relative.toString().isEmpty() || excluded(relative)) {
          continue;
        }
        Path copy = target.resolve(relative.toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(copy);
        } else if (Files.isRegularFile(source)) {
          Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return target;
  }

  private static boolean excluded(Path relative) {
    for (Path part : relative) {
      if (NOT_IN_A_CHECKOUT.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }
}
