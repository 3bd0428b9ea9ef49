package io.resnetspark.model;

import io.resnetspark.model.ModelMetadata.WeightsInfo;
import io.resnetspark.model.io.AtomicDirectory;
import io.resnetspark.model.weights.CheckpointLoader;
import io.resnetspark.model.weights.ImageNetLabels;
import io.resnetspark.model.weights.LoadedCheckpoint;
import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.StateDictValidator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs what {@code model-builder build} asks for: loads a checkpoint or initialises the weights, checks them
 * against the architecture, picks the labels and hands everything to {@link SavedModelExport}.
 */
public final class ModelBuilder {
  private ModelBuilder() {
  }

  /**
   * What {@code model-builder build} asks for. {@code weights} null means torchvision's random initialisation from
   * {@code seed}; {@code numClasses} null means 1000, or the checkpoint's fc size; {@code labels} null means the
   * ImageNet names for 1000 classes and {@code class_i} otherwise.
   */
  public record BuildRequest(Architecture arch, Path weights, Integer numClasses, Path labels, long seed,
                             PreprocessSpec.Preset preset, Path out, boolean overwrite) {
  }

  /** The built model, with what importing its weights cost. */
  public record BuildReport(ModelMetadata metadata, Path directory, double importSeconds, double exportSeconds,
                            long peakHeapBytes) {
  }

  /**
   * Loads or initialises the weights, checks them against the architecture and writes the SavedModel. Every
   * problem with the request (unreadable or mismatched checkpoint, labels count) is found before anything is
   * written, and a failure leaves no output directory behind.
   */
  public static BuildReport build(BuildRequest r) throws IOException {
    HeapWatermark heap = HeapWatermark.start();
    long start = System.nanoTime();
    Path target = r.out().toAbsolutePath().normalize();
    AtomicDirectory.refuseExisting(target, r.overwrite());
    StateDict weights;
    WeightsInfo info;
    int numClasses;
    if (r.weights() == null) {
      numClasses = r.numClasses() == null ? ImageNetLabels.COUNT : r.numClasses();
      weights = RandomWeights.create(r.arch(), numClasses, r.seed());
      info = WeightsInfo.random(r.seed());
    } else {
      LoadedCheckpoint checkpoint = CheckpointLoader.load(r.weights());
      weights = checkpoint.stateDict();
      numClasses = r.numClasses() == null ? StateDictValidator.inferNumClasses(weights) : r.numClasses();
      StateDictValidator.validate(r.arch(), numClasses, weights);
      info = WeightsInfo.checkpoint(checkpoint.fileName(), checkpoint.format(), checkpoint.sha256());
    }
    List<String> labels = r.labels() == null ? Labels.defaults(numClasses) : Labels.read(r.labels(), numClasses);
    double importSeconds = (System.nanoTime() - start) / 1e9;
    heap.sample();
    long exportStart = System.nanoTime();
    ModelMetadata metadata = SavedModelExport.export(r.arch(), weights, info, labels, r.preset().spec(), target,
        r.overwrite());
    heap.sample();
    return new BuildReport(metadata, target, importSeconds, (System.nanoTime() - exportStart) / 1e9,
        heap.peakBytes());
  }

  /** A model with torchvision's random initialisation, ImageNet preprocessing and default labels. */
  public static ModelMetadata buildRandom(Architecture arch, int numClasses, long seed, Path out) throws IOException {
    return SavedModelExport.export(arch, RandomWeights.create(arch, numClasses, seed), WeightsInfo.random(seed),
        Labels.defaults(numClasses), PreprocessSpec.Preset.IMAGENET1K_V1.spec(), out, false);
  }
}
