package io.resnetspark.model;

import io.resnetspark.model.ModelMetadata.InputSpec;
import io.resnetspark.model.ModelMetadata.WeightsInfo;
import io.resnetspark.model.contract.SavedModelContract;
import io.resnetspark.model.contract.SavedModelLayout;
import io.resnetspark.model.graph.ResNetGraph;
import io.resnetspark.model.graph.ResNetGraph.BatchNormMode;
import io.resnetspark.model.io.AtomicDirectory;
import io.resnetspark.model.weights.StateDict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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
 * A ResNet as a self-describing SavedModel (see README, "SavedModel contract"): the graph's named endpoints, the two
 * signatures over them, {@code assets/model.json} and {@code assets/labels.txt}, published with
 * {@link AtomicDirectory} so that the directory appears only when complete.
 */
public final class SavedModelExport {
  /**
   * Batch norms are folded into their convolutions in exported models: the same outputs to float rounding, and
   * ResNet-50 runs markedly faster on CPU (see docs/BENCHMARKS.md).
   */
  public static final BatchNormMode DEFAULT_BATCH_NORM = BatchNormMode.FOLDED;
  private static final String PREDICT_METHOD = "tensorflow/serving/predict";

  private SavedModelExport() {
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
    return AtomicDirectory.publish(out, overwrite, staging -> {
      writeSavedModel(arch, weights, bn, staging);
      ModelMetadata metadata = new ModelMetadata(SavedModelContract.FORMAT_VERSION, arch.id(), numClasses,
          arch.parameterCount(numClasses), arch.featureDim(),
          arch.macs(preprocess.cropSize(), preprocess.cropSize(), numClasses), InputSpec.standard(), preprocess,
          weightsInfo, bn != BatchNormMode.SEPARATE, SavedModelLayout.LABELS_FILE, BuildInfo.VERSION,
          Instant.now().toString());
      Files.createDirectories(staging.resolve(SavedModelLayout.ASSETS_DIR));
      Files.writeString(SavedModelLayout.metadataFile(staging), metadata.toJson(), StandardCharsets.UTF_8);
      Files.write(SavedModelLayout.labelsFile(staging), labels, StandardCharsets.UTF_8);
      return metadata;
    });
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
}
