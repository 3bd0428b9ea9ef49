package io.resnetspark.model.contract;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder;
import io.resnetspark.model.SavedModelExport;
import io.resnetspark.model.graph.ResNetGraph.BatchNormMode;
import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.model.weights.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;

/** Only graphs as the builder writes them pass, judged from the graph file before any session exists. */
class OperationAllowListTest {
  @TempDir
  static Path built;
  private static Path resnet18;

  @TempDir
  Path tmp;

  @BeforeAll
  static void build() throws IOException {
    resnet18 = built.resolve("resnet18");
    ModelBuilder.buildRandom(Architecture.RESNET18, 10, 1, resnet18);
  }

  @Test
  void acceptsAModelAsTheBuilderWritesIt() {
    assertDoesNotThrow(() -> OperationAllowList.check(resnet18, "builder"));
  }

  @Test
  void theListCoversEveryOperationOfABuiltModel() throws IOException {
    assertTrue(OperationAllowList.ALLOWED.containsAll(OperationAllowList.declaredOperations(resnet18).keySet()));
  }

  @ParameterizedTest
  @CsvSource({"RESNET18, SEPARATE", "RESNET18, FOLDED", "RESNEXT50_32X4D, FOLDED"})
  void everyOperationTheGraphCodeEmitsIsAllowed(Architecture arch, BatchNormMode bn) {
    Set<String> types = new TreeSet<>();
    try (Graph g = new Graph()) {
      SavedModelExport.define(g, arch, RandomWeights.create(arch, 10, 1), bn);
      g.operations().forEachRemaining(op -> types.add(op.type()));
    }
    types.removeAll(OperationAllowList.ALLOWED);
    assertEquals(Set.of(), types, arch + " " + bn + " emits operations the allow-list lacks");
  }

  @Test
  void refusesAModelThatReadsAFileNamingTheOperationAndTheNode() throws IOException {
    Path hostile = HostileModels.readingAFile(tmp.resolve("hostile"));
    OperationAllowList.ModelRefusedException e = assertThrows(OperationAllowList.ModelRefusedException.class,
        () -> OperationAllowList.check(hostile, "s3a://lake/hostile"));
    assertTrue(e.getMessage().startsWith("model from s3a://lake/hostile refused: it uses operations outside the "
        + "resnet-spark allow-list: ReadFile (node 'steal')"), e.getMessage());
  }

  @Test
  void refusesADirectoryWithASecondGraphFileThatTensorFlowMightLoadInstead() throws IOException {
    Path model = tmp.resolve("model");
    Files.createDirectories(model);
    Files.copy(resnet18.resolve("saved_model.pb"), model.resolve("saved_model.pb"));
    Files.writeString(model.resolve("saved_model.pbtxt"), "meta_graphs {}");
    OperationAllowList.ModelRefusedException e = assertThrows(OperationAllowList.ModelRefusedException.class,
        () -> OperationAllowList.check(model, "m"));
    assertTrue(e.getMessage().contains("saved_model.pbtxt"), e.getMessage());
  }

  @Test
  void refusesWhatCannotBeParsed() throws IOException {
    Path model = Files.createDirectories(tmp.resolve("truncated"));
    byte[] graph = Files.readAllBytes(resnet18.resolve("saved_model.pb"));
    Files.write(model.resolve("saved_model.pb"), Arrays.copyOf(graph, graph.length / 2));
    OperationAllowList.ModelRefusedException e = assertThrows(OperationAllowList.ModelRefusedException.class,
        () -> OperationAllowList.check(model, "m"));
    assertTrue(e.getMessage().contains("cannot be read for checking"), e.getMessage());
  }

  @Test
  void declaredOperationsAreReadFromTheFileWithoutASession() throws IOException {
    Map<String, String> ops = OperationAllowList.declaredOperations(resnet18);
    assertEquals("images", ops.get("Placeholder"));
    assertTrue(ops.keySet().containsAll(Set.of("Conv2D", "BiasAdd", "AddN", "MaxPoolV2", "Softmax")));
    try (SavedResNet net = SavedResNet.load(resnet18)) {
      assertEquals(net.operationTypes(), ops.keySet());
    }
  }

  @Test
  void declaredOperationsNeedsTheGraphFileAndOnlyThatOne() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThrows(NoSuchFileException.class, () -> OperationAllowList.declaredOperations(empty));
    Files.writeString(empty.resolve("saved_model.pbtxt"), "");
    IOException e = assertThrows(IOException.class, () -> OperationAllowList.declaredOperations(empty));
    assertTrue(e.getMessage().contains("saved_model.pbtxt"), e.getMessage());
  }
}
