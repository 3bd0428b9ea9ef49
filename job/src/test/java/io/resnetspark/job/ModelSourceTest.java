package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
      built = Path.of(java.net.URI.create(source.path()));
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
}
