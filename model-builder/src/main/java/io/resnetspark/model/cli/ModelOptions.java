package io.resnetspark.model.cli;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder.BuildRequest;
import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.model.pretrained.TorchvisionWeights;
import io.resnetspark.model.pretrained.WeightsCache;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options that choose a model to build, shared as a picocli mixin by {@code model-builder build} and the job's
 * {@code --arch}, so both take the same names, values and defaults. {@code --arch} is optional here: the build
 * command requires it, the job accepts {@code --model} instead.
 */
public final class ModelOptions {
  @Option(names = "--arch", paramLabel = "NAME", order = 11, converter = ArchitectureConverter.class,
      completionCandidates = ArchitectureNames.class,
      description = "The architecture to build: ${COMPLETION-CANDIDATES}.")
  Architecture arch;

  @Option(names = "--weights", paramLabel = "FILE|NAME", order = 12, converter = WeightsArgument.Converter.class,
      description = "A torch.save state_dict (.pth, zip format) or a .safetensors file with torchvision key names, "
          + "or the name of torchvision's published weights for --arch: IMAGENET1K_V1, IMAGENET1K_V2 or DEFAULT "
          + "(downloaded once into $RESNET_SPARK_CACHE_DIR/weights, verified; a mirror via "
          + "$RESNET_SPARK_WEIGHTS_URL). Without it the weights are RANDOM (seeded) and the labels meaningless.")
  WeightsArgument weights;

  @Option(names = "--num-classes", paramLabel = "N", order = 13,
      description = "Classes of the fc layer (default: the checkpoint's, or 1000).")
  Integer numClasses;

  @Option(names = "--labels", paramLabel = "FILE", order = 14,
      description = "Class names, one per line, one line per class (default: ImageNet-1k names for 1000 classes, "
          + "class_i otherwise).")
  Path labels;

  @Option(names = "--seed", paramLabel = "S", order = 15, defaultValue = "0",
      description = "Seed of the random weights, without --weights (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--preset", paramLabel = "NAME", order = 16,
      description = "The preprocessing the weights expect: ${COMPLETION-CANDIDATES} (default: the one of the named "
          + "weights, else IMAGENET1K_V1: resize 256, crop 224; V2: resize 232).")
  PreprocessSpec.Preset preset;

  public Architecture arch() {
    return arch;
  }

  public WeightsArgument weights() {
    return weights;
  }

  public Integer numClasses() {
    return numClasses;
  }

  public Path labels() {
    return labels;
  }

  public long seed() {
    return seed;
  }

  /** {@code --preset} as given, or null. */
  public PreprocessSpec.Preset preset() {
    return preset;
  }

  /** The published weights {@code --weights NAME} means for {@code --arch}, or null for a file or none. */
  public TorchvisionWeights published() {
    return weights != null && weights.isNamed() ? TorchvisionWeights.of(arch, weights.name()) : null;
  }

  /**
   * The build these options ask for. Named weights are fetched (or found) through {@code cache} and bring their
   * own preprocessing unless {@code --preset} overrides it.
   *
   * @throws IllegalArgumentException if torchvision publishes no such weights for the architecture
   * @throws io.resnetspark.model.pretrained.WeightsFetchException if named weights cannot be had or verified
   */
  public BuildRequest buildRequest(Path out, boolean overwrite, WeightsCache cache) throws IOException {
    TorchvisionWeights published = published();
    Path file = published != null ? cache.checkpoint(published) : weights != null ? weights.file() : null;
    return new BuildRequest(arch, file, numClasses, labels, seed, preprocessing(), out, overwrite);
  }

  /** {@code --preset} if given, else the preset of the named weights, else {@code IMAGENET1K_V1}. */
  public PreprocessSpec.Preset preprocessing() {
    TorchvisionWeights published = published();
    return preset != null ? preset : published != null ? published.preset() : PreprocessSpec.Preset.IMAGENET1K_V1;
  }

  /** {@code --arch} names as torchvision spells them; an unknown one lists the choices. */
  public static final class ArchitectureConverter implements CommandLine.ITypeConverter<Architecture> {
    @Override
    public Architecture convert(String value) {
      try {
        return Architecture.fromId(value.strip());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
