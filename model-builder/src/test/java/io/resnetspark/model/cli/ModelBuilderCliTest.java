package io.resnetspark.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.pretrained.CheckpointServer;
import io.resnetspark.model.pretrained.Environment;
import io.resnetspark.model.pretrained.TestCheckpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a user sees: exit codes, and one line saying what to fix instead of a stack trace. */
class ModelBuilderCliTest {
  @TempDir
  Path dir;

  record Run(int exitCode, String out, String err) {
    void assertOneLineError(int expectedCode, String... fragments) {
      assertEquals(expectedCode, exitCode, err);
      List<String> lines = err.lines().toList();
      assertEquals(1, lines.size(), "exactly one line: " + err);
      assertTrue(lines.get(0).startsWith("error: "), err);
      for (String f : fragments) {
        assertTrue(err.contains(f), "'" + f + "' in: " + err);
      }
    }
  }

  static Run run(String... args) {
    return run(Environment.system(), args);
  }

  static Run run(Environment env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ModelBuilderCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), env);
    return new Run(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"build", "describe", "verify"})
  void everyCommandHasHelp(String command) {
    Run r = run(command, "--help");
    assertEquals(0, r.exitCode());
    assertTrue(r.out().contains("Usage: model-builder " + command), r.out());
  }

  @Test
  void buildWritesARandomModelAndSaysTheWeightsAreRandom() {
    Path out = dir.resolve("m");
    Run r = run("build", "--arch", "resnet18", "--num-classes", "4", "--seed", "3", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));
    assertTrue(r.out().contains("RANDOM (seed 3)"), r.out());
    assertTrue(r.out().contains("peak heap"), r.out());
  }

  @Test
  void unknownArchitectureListsTheChoices() {
    run("build", "--arch", "resnet51", "--out", dir.resolve("m").toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USAGE, "resnet51", "resnext101_32x8d");
  }

  @Test
  void badNumbersNameTheOption() {
    run("build", "--arch", "resnet18", "--num-classes", "abc", "--out", dir.toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USAGE, "--num-classes", "abc");
    run("build", "--arch", "resnet18", "--num-classes", "0", "--out", dir.resolve("m").toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USAGE, "--num-classes must be at least 1");
    run("describe", "--arch", "resnet18", "--size", "16")
        .assertOneLineError(ModelBuilderCli.EXIT_USAGE, "--size must be at least 32");
  }

  @Test
  void aMissingWeightsFileIsNamed() {
    Path out = dir.resolve("m");
    run("build", "--arch", "resnet18", "--weights", dir.resolve("nope.pth").toString(), "--out", out.toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USER_ERROR, "nope.pth");
    assertFalse(Files.exists(out));
  }

  @Test
  void anExistingOutputNeedsOverwrite() throws IOException {
    Path out = Files.createDirectory(dir.resolve("m"));
    run("build", "--arch", "resnet18", "--num-classes", "2", "--out", out.toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USER_ERROR, "already exists", "--overwrite");
  }

  @Test
  void anUnwritableOutputIsReported() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    run("build", "--arch", "resnet18", "--num-classes", "2", "--out", file.resolve("m").toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USER_ERROR, "a-file");
  }

  @Test
  void labelsMustMatchTheClassCount() throws IOException {
    Path labels = Files.write(dir.resolve("labels.txt"), List.of("cat", "dog", "bird"));
    Path out = dir.resolve("m");
    run("build", "--arch", "resnet18", "--num-classes", "2", "--labels", labels.toString(), "--out", out.toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USER_ERROR, "3 lines", "2 classes");
    assertFalse(Files.exists(out));
  }

  @Test
  void describePrintsParametersMacsAndStageShapes() {
    Run r = run("describe", "--arch", "resnet50");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("25,557,032"), r.out());
    assertTrue(r.out().contains("4.09 G"), r.out());
    assertTrue(r.out().contains("layer4           [N, 7, 7, 2048]"), r.out());
  }

  @Test
  void verifyPrintsSignaturesMetadataAndThroughput() {
    Path out = dir.resolve("m");
    assertEquals(0, run("build", "--arch", "resnet18", "--num-classes", "3", "--out", out.toString()).exitCode());
    Run r = run("verify", out.toString(), "--batch-size", "2", "--runs", "1");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("serving_default"), r.out());
    assertTrue(r.out().contains("probabilities"), r.out());
    assertTrue(r.out().contains("\"architecture\" : \"resnet18\""), r.out());
    assertTrue(r.out().matches("(?s).*throughput: [0-9.]+ img/s.*"), r.out());
  }

  @Test
  void verifyOfSomethingThatIsNotAModelSaysSo() throws IOException {
    Path notAModel = Files.createDirectory(dir.resolve("empty"));
    run("verify", notAModel.toString()).assertOneLineError(ModelBuilderCli.EXIT_USER_ERROR, "model.json");
    run("verify", dir.resolve("missing").toString()).assertOneLineError(ModelBuilderCli.EXIT_USER_ERROR, "missing");
  }

  @Test
  void namedWeightsAreFetchedFromTheMirrorAndRefusedWhenTheyAreNotTorchvisionsFile() throws IOException {
    try (CheckpointServer mirror = CheckpointServer.start()) {
      byte[] notTorchvisions = TestCheckpoints.resnet18();
      mirror.put("resnet18-f37072fd.pth", notTorchvisions);
      Path home = dir.resolve("home");
      Path out = dir.resolve("m");
      Run r = run(Environment.of(Map.of("RESNET_SPARK_WEIGHTS_URL", mirror.baseUrl()), home),
          "build", "--arch", "resnet18", "--weights", "IMAGENET1K_V1", "--out", out.toString());
      assertEquals(ModelBuilderCli.EXIT_USER_ERROR, r.exitCode(), r.err());
      assertEquals(List.of(CheckpointServer.FOLDER + "resnet18-f37072fd.pth"), mirror.requests());
      List<String> lines = r.err().lines().toList();
      assertEquals("downloading " + mirror.baseUrl() + "resnet18-f37072fd.pth", lines.get(0).split(" \\(")[0]);
      assertEquals("error: " + mirror.baseUrl() + "resnet18-f37072fd.pth has SHA-256 "
          + TestCheckpoints.sha256(notTorchvisions) + " but its name says it begins with f37072fd: refused, nothing "
          + "kept", lines.get(lines.size() - 1));
      assertFalse(Files.exists(out));
      try (Stream<Path> cached = Files.list(home.resolve(".cache/resnet-spark/weights"))) {
        assertEquals(0, cached.count(), "nothing kept");
      }
    }
  }

  @Test
  void offlineNamedWeightsAreOneLineWithTheUrlTheCachePathAndTheMirrorVariable() throws IOException {
    String unreachable = "http://127.0.0.1:" + CheckpointServer.closedPort() + "/models/";
    Path home = dir.resolve("home");
    run(Environment.of(Map.of("RESNET_SPARK_WEIGHTS_URL", unreachable), home),
        "build", "--arch", "resnet50", "--weights", "DEFAULT", "--out", dir.resolve("m").toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USER_ERROR, "cannot download " + unreachable
            + "resnet50-11ad3fa6.pth", "put the file at " + home.resolve(".cache/resnet-spark/weights/"
            + "resnet50-11ad3fa6.pth") + " by hand", "RESNET_SPARK_WEIGHTS_URL");
  }

  @Test
  void weightsTorchvisionDoesNotPublishAreNamedWithTheChoices() {
    run("build", "--arch", "resnet18", "--weights", "IMAGENET1K_V2", "--out", dir.resolve("m").toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USER_ERROR, "no IMAGENET1K_V2 weights for resnet18",
            "IMAGENET1K_V1 and DEFAULT");
  }

  @Test
  void buildWithoutArchSaysItIsRequired() {
    run("build", "--out", dir.resolve("m").toString())
        .assertOneLineError(ModelBuilderCli.EXIT_USAGE, "--arch is required", "resnet50");
  }
}
