package io.resnetspark.model.cli;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder;
import io.resnetspark.model.ModelBuilder.BuildReport;
import io.resnetspark.model.ModelMetadata;
import io.resnetspark.model.PreprocessSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "build", mixinStandardHelpOptions = true,
    description = "Builds a ResNet SavedModel from a torchvision/timm checkpoint (.pth or .safetensors) or from "
        + "torchvision's random initialisation.")
final class BuildCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--arch", required = true, paramLabel = "NAME", description = "One of: ${COMPLETION-CANDIDATES}",
      completionCandidates = ArchitectureNames.class)
  Architecture arch;

  @Option(names = "--weights", paramLabel = "FILE", description = "A torch.save state_dict (.pth, zip format) or a "
      + ".safetensors file with torchvision key names. Without it the weights are random (seeded).")
  Path weights;

  @Option(names = "--num-classes", paramLabel = "N", description = "Classes of the fc layer (default: the "
      + "checkpoint's, or 1000).")
  Integer numClasses;

  @Option(names = "--labels", paramLabel = "FILE", description = "Class names, one per line, one line per class "
      + "(default: ImageNet-1k names for 1000 classes, class_i otherwise).")
  Path labels;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the random initialisation "
      + "(default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--preset", defaultValue = "IMAGENET1K_V1", paramLabel = "NAME", description = "Preprocessing of "
      + "the weights: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}: resize 256, crop 224; V2: resize 232).")
  PreprocessSpec.Preset preset;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "The SavedModel directory to write.")
  Path out;

  @Option(names = "--overwrite", description = "Replace --out if it exists.")
  boolean overwrite;

  @Override
  public Integer call() throws IOException {
    if (numClasses != null) {
      Validation.positive(spec, "--num-classes", numClasses);
    }
    BuildReport report = ModelBuilder.build(new ModelBuilder.BuildRequest(arch, weights, numClasses, labels, seed,
        preset, out, overwrite));
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
