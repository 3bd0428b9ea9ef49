package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.model.ModelBuilder.BuildRequest;
import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.model.weights.CheckpointException;
import io.resnetspark.model.weights.CheckpointLoader;
import io.resnetspark.model.weights.FormulaWeights;
import io.resnetspark.model.weights.SafetensorsTestWriter;
import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.TorchZipTestWriter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A checkpoint in either format becomes a SavedModel whose logits equal real torchvision's on the same weights and
 * input (issue 3's proof). The weights come from {@code FormulaWeights}, which {@code scripts/make_reference_logits.py}
 * reproduces bit for bit in numpy; the script committed torchvision 0.14's logits, top-5 and a record of how far
 * typical import mistakes would move them ({@code sensitivity}: 3-7% of max|logit| for a transposed kernel or
 * reversed input channels, 80-100% for swapped batch-norm weight and bias, against a tolerance of 0.01%).
 */
class CheckpointParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double RELATIVE_TOLERANCE = 1e-4;

  @TempDir
  Path dir;

  static Stream<Arguments> archsAndFormats() {
    return Stream.of("resnet18", "resnet50", "resnext50_32x4d")
        .flatMap(arch -> Stream.of(Arguments.of(arch, "pth"), Arguments.of(arch, "safetensors")));
  }

  @ParameterizedTest(name = "{0} from .{1}")
  @MethodSource("archsAndFormats")
  void builtModelGivesTorchvisionsLogits(String archId, String format) throws IOException {
    JsonNode reference = resourceJson("/reference/" + archId + "_logits.json");
    assertEquals(FormulaWeights.VERSION, reference.get("formula_version").asInt());
    Architecture arch = Architecture.fromId(archId);
    Path weights = dir.resolve(archId + "-formula." + format);
    writeCheckpoint(FormulaWeights.create(arch, 1000), weights, format);

    Path out = dir.resolve("model");
    ModelBuilder.BuildReport report = ModelBuilder.build(new BuildRequest(arch, weights, null, null, 0,
        PreprocessSpec.Preset.IMAGENET1K_V2, out, false));
    System.out.printf("%s from .%s: import %.2f s, export %.2f s, peak heap %d MB%n", archId, format,
        report.importSeconds(), report.exportSeconds(), report.peakHeapBytes() >> 20);

    JsonNode input = reference.get("input");
    int batch = input.get("batch").asInt();
    int height = input.get("height").asInt();
    int width = input.get("width").asInt();
    float[] logits;
    try (SavedResNet model = SavedResNet.load(out)) {
      logits = model.classify(FormulaWeights.inputNhwc(batch, height, width), batch, height, width).logits();
      ModelMetadata m = model.metadata();
      assertEquals(1000, m.numClasses(), "class count taken from fc.weight");
      assertEquals(weights.getFileName().toString(), m.weights().file());
      assertEquals(format.equals("pth") ? CheckpointLoader.PYTORCH_ZIP : CheckpointLoader.SAFETENSORS,
          m.weights().format());
      assertEquals(CheckpointLoader.load(weights).sha256(), m.weights().sha256());
      assertEquals(PreprocessSpec.Preset.IMAGENET1K_V2.name(), m.preprocessing().preset(), "--preset is recorded");
      assertEquals("tabby", model.labels().get(281), "ImageNet names are the default labels");
    }

    double maxAbs = reference.get("max_abs_logit").asDouble();
    double worst = 0;
    for (int n = 0; n < batch; n++) {
      JsonNode row = reference.get("logits").get(n);
      for (int c = 0; c < row.size(); c++) {
        worst = Math.max(worst, Math.abs(logits[n * row.size() + c] - row.get(c).asDouble()));
      }
      List<Integer> expectedTop5 = new ArrayList<>();
      reference.get("top5").get(n).forEach(i -> expectedTop5.add(i.asInt()));
      assertEquals(expectedTop5, top5(logits, n, row.size()), "top-5 order of image " + n);
    }
    System.out.printf("%s from .%s: max |logit - torchvision| = %.3g (%.2g of max|logit| %.3g)%n", archId, format,
        worst, worst / maxAbs, maxAbs);
    assertTrue(worst <= RELATIVE_TOLERANCE * maxAbs,
        "max abs difference " + worst + " exceeds " + RELATIVE_TOLERANCE + " x " + maxAbs);
  }

  static Stream<Arguments> badCheckpoints() {
    return Stream.of(
        Arguments.of("truncated_file.pth", "resnet18", "not a complete zip archive"),
        Arguments.of("truncated_entry.pth", "resnet18", "the file is truncated"),
        Arguments.of("truncated.safetensors", "resnet18", "the file is truncated"),
        Arguments.of("wrong_dtype.safetensors", "resnet18", "is float64 (F64)"),
        Arguments.of("float64.pth", "resnet18", "is float64 (F64)"),
        Arguments.of("malicious.pth", "resnet18", "refused global 'os.system'"),
        Arguments.of("whole_model.pth", "resnet18", "whole pickled model"),
        Arguments.of("legacy_format.pth", "resnet18", "legacy"),
        Arguments.of("module_prefixed.pth", "resnet18", "the checkpoint does not fit resnet18"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCheckpoints")
  void aBadCheckpointFailsWithItsOwnMessageAndLeavesNothingBehind(String fixture, String archId, String message)
      throws IOException, URISyntaxException {
    Path weights = Files.copy(Path.of(getClass().getResource("/checkpoints/" + fixture).toURI()),
        dir.resolve(fixture));
    Path out = dir.resolve("model");
    CheckpointException e = assertThrows(CheckpointException.class, () -> ModelBuilder.build(new BuildRequest(
        Architecture.fromId(archId), weights, null, null, 0, PreprocessSpec.Preset.IMAGENET1K_V1, out, false)));
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertFalse(Files.exists(out));
    assertEquals(List.of(weights), list(dir), "no staging directory is left behind");
  }

  @Test
  void aCheckpointOfAnotherArchitectureNamesIt() throws IOException {
    Path weights = dir.resolve("resnet18-formula.safetensors");
    SafetensorsTestWriter.write(FormulaWeights.create(Architecture.RESNET18, 10), weights);
    Path out = dir.resolve("model");
    CheckpointException e = assertThrows(CheckpointException.class, () -> ModelBuilder.build(new BuildRequest(
        Architecture.RESNET34, weights, null, null, 0, PreprocessSpec.Preset.IMAGENET1K_V1, out, false)));
    assertTrue(e.getMessage().lines().findFirst().orElseThrow()
        .endsWith("It looks like a resnet18 checkpoint: use --arch resnet18."), e.getMessage());
    assertFalse(Files.exists(out));
    assertEquals(List.of(weights), list(dir));
  }

  private static void writeCheckpoint(StateDict sd, Path file, String format) throws IOException {
    if (format.equals("pth")) {
      TorchZipTestWriter.write(sd, file);
    } else {
      SafetensorsTestWriter.write(sd, file);
    }
  }

  private static List<Integer> top5(float[] logits, int image, int classes) {
    return IntStream.range(0, classes).boxed()
        .sorted(Comparator.comparingDouble((Integer c) -> logits[image * classes + c]).reversed())
        .limit(5).toList();
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  private static JsonNode resourceJson(String name) throws IOException {
    try (var in = CheckpointParityTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing; run scripts/make_reference_logits.py");
      }
      return JSON.readTree(in);
    }
  }
}
