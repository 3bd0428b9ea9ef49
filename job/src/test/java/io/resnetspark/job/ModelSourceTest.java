package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder;
import io.resnetspark.model.pretrained.Environment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model of a run, checked on the driver from its files alone. */
class ModelSourceTest {
  @TempDir
  static Path models;
  static Path model;

  @TempDir
  Path dir;

  final Configuration conf = new Configuration();

  @BeforeAll
  static void buildModel() throws IOException {
    model = models.resolve("r18");
    ModelBuilder.buildRandom(Architecture.RESNET18, 4, 1, model);
  }

  static String message(String modelPath) {
    return assertThrows(ConfigException.class, () -> ModelSource.open(modelPath, new Configuration(), null))
        .getMessage();
  }

  Path copyOfModel(String name) throws IOException {
    Path copy = dir.resolve(name);
    try (Stream<Path> files = Files.walk(model)) {
      for (Path f : files.toList()) {
        Path target = copy.resolve(model.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    return copy;
  }

  @Test
  void readsMetadataAndLabelsOfASavedModel() {
    try (ModelSource source = ModelSource.open(model.toString(), conf, null)) {
      assertEquals("resnet18", source.metadata().architecture());
      assertEquals(4, source.metadata().numClasses());
      assertEquals(List.of("class_0", "class_1", "class_2", "class_3"), source.labels());
      assertTrue(source.randomWeights());
      assertEquals("RANDOM (seed 1)", source.weightsDescription());
      assertEquals("file:" + model, source.path());
      assertFalse(source.builtForThisRun());
    }
    assertTrue(Files.exists(model), "a given model is never deleted");
  }

  @Test
  void aMissingPathIsNamed() {
    assertEquals("model " + dir.resolve("nope") + " does not exist", message(dir.resolve("nope").toString()));
  }

  @Test
  void aFileIsNotAModel() throws IOException {
    Path file = Files.writeString(dir.resolve("model.pb"), "x");
    assertTrue(message(file.toString()).contains("is a file; give the SavedModel directory"));
  }

  @Test
  void aDirectoryWithoutSavedModelPbIsNotAModel() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertTrue(message(empty.toString()).endsWith("is not a SavedModel directory: it has no saved_model.pb"));
  }

  @Test
  void aSavedModelWithoutMetadataWasNotBuiltByModelBuilder() throws IOException {
    Path copy = copyOfModel("bare");
    Files.delete(copy.resolve("assets/model.json"));
    assertTrue(message(copy.toString()).contains("has no assets/model.json: build it with scripts/model-builder"));
  }

  @Test
  void labelsThatDoNotMatchTheClassesAreRefused() throws IOException {
    Path copy = copyOfModel("mismatch");
    Files.write(copy.resolve("assets/labels.txt"), List.of("cat", "dog", "fish"));
    assertTrue(message(copy.toString()).contains("labels.txt has 3 labels but model.json says 4 classes"));
  }

  @Test
  void anArchitectureIsBuiltIntoATemporaryDirectoryThatCloseRemoves() {
    JobOptions options = JobCommandLine.parse("--input", "i", "--output", "o", "--arch", "resnet18",
        "--num-classes", "3", "--seed", "5").options();
    Path built;
    try (ModelSource source = ModelSource.resolve(options, conf)) {
      assertTrue(source.builtForThisRun());
      assertEquals(3, source.metadata().numClasses());
      assertEquals("RANDOM (seed 5)", source.weightsDescription());
      built = Path.of(URI.create(source.path()));
      assertTrue(Files.isRegularFile(built.resolve("saved_model.pb")));
    }
    assertFalse(Files.exists(built));
  }

  @Test
  void buildProblemsAreConfigErrors() throws IOException {
    Path labels = Files.write(dir.resolve("labels.txt"), List.of("cat", "dog"));
    JobOptions wrongLabels = JobCommandLine.parse("--input", "i", "--output", "o", "--arch", "resnet18",
        "--num-classes", "3", "--labels", labels.toString()).options();
    ConfigException e = assertThrows(ConfigException.class, () -> ModelSource.resolve(wrongLabels, conf));
    assertTrue(e.getMessage().startsWith("cannot build resnet18: labels file"), e.getMessage());
    assertTrue(e.getMessage().contains("has 2 lines but the model has 3 classes"), e.getMessage());

    JobOptions noWeights = JobCommandLine.parse("--input", "i", "--output", "o", "--arch", "resnet18",
        "--weights", dir.resolve("missing.pth").toString()).options();
    e = assertThrows(ConfigException.class, () -> ModelSource.resolve(noWeights, conf));
    assertTrue(e.getMessage().contains("missing.pth"), e.getMessage());
  }

  @Test
  void namedWeightsComeThroughTheMirrorAndAreVerifiedBeforeUse() throws IOException {
    List<String> requests = new CopyOnWriteArrayList<>();
    byte[] notTorchvisions = "not resnet18's checkpoint".getBytes(StandardCharsets.US_ASCII);
    HttpServer mirror = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    mirror.createContext("/models/", exchange -> {
      requests.add(exchange.getRequestURI().getPath());
      exchange.sendResponseHeaders(200, notTorchvisions.length);
      exchange.getResponseBody().write(notTorchvisions);
      exchange.close();
    });
    mirror.start();
    try {
      String base = "http://127.0.0.1:" + mirror.getAddress().getPort() + "/models/";
      JobOptions options = JobCommandLine.parse("--input", "i", "--output", "o", "--arch", "resnet18",
          "--weights", "IMAGENET1K_V1").options();
      Environment env = Environment.of(Map.of("RESNET_SPARK_WEIGHTS_URL", base), dir.resolve("home"));
      ConfigException e = assertThrows(ConfigException.class, () -> ModelSource.resolve(options, conf, env));
      assertEquals(List.of("/models/resnet18-f37072fd.pth"), requests);
      assertEquals("cannot build resnet18: " + base + "resnet18-f37072fd.pth has SHA-256 "
          + HexFormat.of().formatHex(sha256(notTorchvisions)) + " but its name says it begins with f37072fd: "
          + "refused, nothing kept", e.getMessage());
    } finally {
      mirror.stop(0);
    }
  }

  @Test
  void namedWeightsWithoutNetworkAreAConfigErrorSayingWhereToPutTheFile() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String base = "http://127.0.0.1:" + closedPort + "/models/";
    JobOptions options = JobCommandLine.parse("--input", "i", "--output", "o", "--arch", "resnet50",
        "--weights", "IMAGENET1K_V2").options();
    Path home = dir.resolve("home");
    ConfigException e = assertThrows(ConfigException.class, () -> ModelSource.resolve(options, conf,
        Environment.of(Map.of("RESNET_SPARK_WEIGHTS_URL", base), home)));
    assertEquals(1, e.getMessage().lines().count());
    assertTrue(e.getMessage().startsWith("cannot build resnet50: cannot download " + base + "resnet50-11ad3fa6.pth"),
        e.getMessage());
    assertTrue(e.getMessage().contains("put the file at "
        + home.resolve(".cache/resnet-spark/weights/resnet50-11ad3fa6.pth") + " by hand"), e.getMessage());
    assertTrue(e.getMessage().contains("RESNET_SPARK_WEIGHTS_URL"), e.getMessage());
  }

  static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
