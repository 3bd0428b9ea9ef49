package io.resnetspark.model;

import io.resnetspark.model.ModelMetadata.InputSpec;
import io.resnetspark.model.ModelMetadata.WeightsInfo;
import io.resnetspark.model.graph.ResNetGraph;
import io.resnetspark.model.graph.ResNetGraph.BatchNormMode;
import io.resnetspark.model.weights.CheckpointLoader;
import io.resnetspark.model.weights.ImageNetLabels;
import io.resnetspark.model.weights.LoadedCheckpoint;
import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.StateDictValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Builds a ResNet from a state_dict and writes it as a self-describing SavedModel (see README, "SavedModel
 * contract"): the two signatures, {@code assets/model.json} and {@code assets/labels.txt}. The directory appears
 * only when complete: it is written to a hidden sibling and renamed into place.
 */
public final class ModelBuilder {
  public static final String VERSION = "0.1.0";
  private static final String PREDICT_METHOD = "tensorflow/serving/predict";
  /**
   * Batch norms are folded into their convolutions in exported models: the same outputs to float rounding, and
   * ResNet-50 runs markedly faster on CPU (see docs/BENCHMARKS.md).
   */
  public static final BatchNormMode DEFAULT_BATCH_NORM = BatchNormMode.FOLDED;

  private ModelBuilder() {
  }

  /** The graph's named endpoints, before export. */
  public record ResNetEndpoints(Placeholder<TFloat32> images, Operand<TFloat32> embeddings,
                                Operand<TFloat32> logits, Operand<TFloat32> probabilities) {
    public Signature classifySignature() {
      return Signature.builder().key(SavedModelContract.CLASSIFY_SIGNATURE).methodName(PREDICT_METHOD)
          .input(SavedModelContract.INPUT, images)
          .output(SavedModelContract.LOGITS, logits)
          .output(SavedModelContract.PROBABILITIES, probabilities)
          .build();
    }

    public Signature featuresSignature() {
      return Signature.builder().key(SavedModelContract.FEATURES_SIGNATURE).methodName(PREDICT_METHOD)
          .input(SavedModelContract.INPUT, images)
          .output(SavedModelContract.EMBEDDINGS, embeddings)
          .build();
    }
  }

  /** Adds the whole network to {@code graph} as exported models have it (batch norms folded). */
  public static ResNetEndpoints define(Graph graph, Architecture arch, StateDict weights) {
    return define(graph, arch, weights, DEFAULT_BATCH_NORM);
  }

  /** Adds the whole network to {@code graph}: NHWC float32 images in, embeddings, logits and softmax out. */
  public static ResNetEndpoints define(Graph graph, Architecture arch, StateDict weights, BatchNormMode bn) {
    Ops tf = Ops.create(graph);
    Placeholder<TFloat32> images = tf.withName(SavedModelContract.INPUT)
        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
    Operand<TFloat32> features = ResNetGraph.features(tf, images, arch, weights, bn);
    Operand<TFloat32> embeddings = tf.withName(SavedModelContract.EMBEDDINGS).identity(features);
    Operand<TFloat32> logits = tf.withName(SavedModelContract.LOGITS)
        .identity(ResNetGraph.logits(tf, features, weights));
    Operand<TFloat32> probabilities = tf.withName(SavedModelContract.PROBABILITIES).nn.softmax(logits);
    return new ResNetEndpoints(images, embeddings, logits, probabilities);
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
    if (Files.exists(target) && !r.overwrite()) {
      throw new FileAlreadyExistsException(target.toString(), null, "already exists; pass --overwrite to replace it");
    }
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
    ModelMetadata metadata = export(r.arch(), weights, info, labels, r.preset().spec(), target, r.overwrite());
    heap.sample();
    return new BuildReport(metadata, target, importSeconds, (System.nanoTime() - exportStart) / 1e9,
        heap.peakBytes());
  }

  /** A model with torchvision's random initialisation, ImageNet preprocessing and default labels. */
  public static ModelMetadata buildRandom(Architecture arch, int numClasses, long seed, Path out) throws IOException {
    return export(arch, RandomWeights.create(arch, numClasses, seed), WeightsInfo.random(seed),
        Labels.defaults(numClasses), PreprocessSpec.Preset.IMAGENET1K_V1.spec(), out, false);
  }

  /**
   * Writes the SavedModel for {@code weights} (already validated against {@code arch}) to {@code out}.
   *
   * @throws FileAlreadyExistsException if {@code out} exists and {@code overwrite} is false
   */
  public static ModelMetadata export(Architecture arch, StateDict weights, WeightsInfo weightsInfo, List<String> labels,
                                     PreprocessSpec preprocess, Path out, boolean overwrite) throws IOException {
    return export(arch, weights, weightsInfo, labels, preprocess, out, overwrite, DEFAULT_BATCH_NORM);
  }

  /** As {@link #export(Architecture, StateDict, WeightsInfo, List, PreprocessSpec, Path, boolean)}, choosing how
   *  batch norms appear in the graph; {@code model.json} records the choice as {@code batchnorm_folded}. */
  public static ModelMetadata export(Architecture arch, StateDict weights, WeightsInfo weightsInfo, List<String> labels,
                                     PreprocessSpec preprocess, Path out, boolean overwrite, BatchNormMode bn)
      throws IOException {
    int numClasses = Math.toIntExact(weights.get("fc.bias").elementCount());
    if (labels.size() != numClasses) {
      throw new IllegalArgumentException(
          "got " + labels.size() + " labels for a model with " + numClasses + " classes");
    }
    Path target = out.toAbsolutePath().normalize();
    if (Files.exists(target) && !overwrite) {
      throw new FileAlreadyExistsException(target.toString(), null, "already exists; pass --overwrite to replace it");
    }
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path staging = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      writeSavedModel(arch, weights, bn, staging);
      ModelMetadata metadata = new ModelMetadata(SavedModelContract.FORMAT_VERSION, arch.id(), numClasses,
          arch.parameterCount(numClasses), arch.featureDim(),
          arch.macs(preprocess.cropSize(), preprocess.cropSize(), numClasses), InputSpec.standard(), preprocess,
          weightsInfo, bn == BatchNormMode.FOLDED, SavedModelContract.LABELS_FILE, VERSION, Instant.now().toString());
      Path assets = Files.createDirectories(staging.resolve(SavedModelContract.ASSETS_DIR));
      Files.writeString(assets.resolve(SavedModelContract.METADATA_FILE), metadata.toJson(), StandardCharsets.UTF_8);
      Files.write(assets.resolve(SavedModelContract.LABELS_FILE), labels, StandardCharsets.UTF_8);
      moveIntoPlace(staging, target);
      return metadata;
    } finally {
      deleteRecursively(staging);
    }
  }

  private static void writeSavedModel(Architecture arch, StateDict weights, BatchNormMode bn, Path dir)
      throws IOException {
    try (Graph graph = new Graph()) {
      ResNetEndpoints endpoints = define(graph, arch, weights, bn);
      try (Session session = new Session(graph)) {
        SavedModelBundle.exporter(dir.toString())
            .withTags(SavedModelContract.TAG)
            .withSession(session)
            .withSignatures(endpoints.classifySignature(), endpoints.featuresSignature())
            .export();
      }
    }
  }

  /** Renames the finished directory over {@code target}; an old one is moved aside first and removed after. */
  private static void moveIntoPlace(Path staging, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      deleteRecursively(old);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
