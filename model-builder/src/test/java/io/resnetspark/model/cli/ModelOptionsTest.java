package io.resnetspark.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder.BuildRequest;
import io.resnetspark.model.PreprocessSpec.Preset;
import io.resnetspark.model.pretrained.DownloadProgress;
import io.resnetspark.model.pretrained.Environment;
import io.resnetspark.model.pretrained.TorchvisionWeights;
import io.resnetspark.model.pretrained.WeightsCache;
import io.resnetspark.model.pretrained.WeightsLocations;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The model options as any command that mixes them in parses them, and the build request they make. */
class ModelOptionsTest {
  @Command(name = "host")
  static final class Host {
    @Mixin
    ModelOptions model;
  }

  static ModelOptions parse(String... args) {
    Host host = new Host();
    new CommandLine(host).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return host.model;
  }

  @Test
  void defaultsAreNoArchNoWeightsSeedZeroAndTheV1Preset() {
    ModelOptions o = parse();
    assertNull(o.arch());
    assertNull(o.weights());
    assertNull(o.published());
    assertEquals(0, o.seed());
    assertNull(o.preset());
    assertEquals(Preset.IMAGENET1K_V1, o.preprocessing());
  }

  @Test
  void namedWeightsBringTheirOwnPresetUnlessOneIsGiven() {
    assertEquals(Preset.IMAGENET1K_V2, parse("--arch", "resnet50", "--weights", "IMAGENET1K_V2").preprocessing());
    assertEquals(Preset.IMAGENET1K_V2, parse("--arch", "resnet50", "--weights", "DEFAULT").preprocessing());
    assertEquals(Preset.IMAGENET1K_V1, parse("--arch", "resnet50", "--weights", "IMAGENET1K_V1").preprocessing());
    assertEquals(Preset.IMAGENET1K_V1, parse("--arch", "resnet50", "--weights", "IMAGENET1K_V2", "--preset",
        "imagenet1k_v1").preprocessing());
    assertEquals(TorchvisionWeights.RESNET50_IMAGENET1K_V2,
        parse("--arch", "resnet50", "--weights", "default").published());
  }

  @Test
  void aFileAndTheOtherOptionsPassStraightIntoTheRequest() throws IOException {
    ModelOptions o = parse("--arch", "wide_resnet50_2", "--weights", "w.safetensors", "--num-classes", "7",
        "--labels", "l.txt", "--seed", "5", "--preset", "IMAGENET1K_V2");
    WeightsCache unused = new WeightsCache(WeightsLocations.from(Environment.of(Map.of(), Path.of("/nowhere"))),
        DownloadProgress.lines(new PrintWriter(new StringWriter())));
    BuildRequest r = o.buildRequest(Path.of("out"), true, unused);
    assertEquals(new BuildRequest(Architecture.WIDE_RESNET50_2, Path.of("w.safetensors"), 7, Path.of("l.txt"), 5,
        Preset.IMAGENET1K_V2, Path.of("out"), true), r);
  }

  @Test
  void withoutWeightsTheRequestIsForRandomWeights() throws IOException {
    WeightsCache unused = new WeightsCache(WeightsLocations.from(Environment.of(Map.of(), Path.of("/nowhere"))),
        DownloadProgress.lines(new PrintWriter(new StringWriter())));
    BuildRequest r = parse("--arch", "resnet18", "--seed", "3").buildRequest(Path.of("o"), false, unused);
    assertNull(r.weights());
    assertEquals(3, r.seed());
  }
}
