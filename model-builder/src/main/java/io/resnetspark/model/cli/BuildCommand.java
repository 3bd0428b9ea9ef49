package io.resnetspark.model.cli;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder;
import io.resnetspark.model.ModelBuilder.BuildReport;
import io.resnetspark.model.ModelMetadata;
import io.resnetspark.model.pretrained.DownloadProgress;
import io.resnetspark.model.pretrained.Environment;
import io.resnetspark.model.pretrained.WeightsCache;
import io.resnetspark.model.pretrained.WeightsLocations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "build", mixinStandardHelpOptions = true,
    description = "Builds a ResNet SavedModel from a torchvision/timm checkpoint (.pth or .safetensors), from "
        + "torchvision's published weights by name, or from torchvision's random initialisation.")
final class BuildCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  ModelOptions model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "The SavedModel directory to write.")
  Path out;

  @Option(names = "--overwrite", description = "Replace --out if it exists.")
  boolean overwrite;

  /** Where published weights are cached and fetched from; the process's environment unless a test sets it. */
  Environment environment = Environment.system();

  @Override
  public Integer call() throws IOException {
    if (model.arch() == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--arch is required; choose one of "
          + Architecture.idList());
    }
    if (model.numClasses() != null) {
      Validation.positive(spec, "--num-classes", model.numClasses());
    }
    WeightsCache cache = new WeightsCache(WeightsLocations.from(environment),
        DownloadProgress.forConsole(spec.commandLine().getErr()));
    BuildReport report = ModelBuilder.build(model.buildRequest(out, overwrite, cache));
    ModelMetadata m = report.metadata();
    PrintWriter o = spec.commandLine().getOut();
    o.printf("wrote %s%n", report.directory());
    o.printf("  architecture  %s, %d classes, %,d parameters%n", m.architecture(), m.numClasses(),
        m.parameterCount());
    o.printf("  weights       %s%n", m.weights().isRandom()
        ? "RANDOM (seed " + m.weights().seed() + "): labels will be meaningless"
        : m.weights().file() + " (" + m.weights().format() + ", sha256 " + m.weights().sha256() + ")");
    o.printf("  preprocessing %s: resize %d, crop %d%n", m.preprocessing().preset(), m.preprocessing().resizeSize(),
        m.preprocessing().cropSize());
    o.printf("  import        %.2f s, peak heap %d MB; export %.2f s%n", report.importSeconds(),
        report.peakHeapBytes() >> 20, report.exportSeconds());
    return 0;
  }
}
