package io.resnetspark.model.runtime;

import io.resnetspark.model.Labels;
import io.resnetspark.model.ModelMetadata;
import io.resnetspark.model.SavedModelContract;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The one adapter between resnet-spark and TensorFlow Java: loads a resnet-spark SavedModel with its metadata and
 * labels, and runs batches through its signatures. Every Tensor it creates is closed before a call returns. A
 * session may be called from several threads at once.
 */
public final class SavedResNet implements AutoCloseable {
  private final SavedModelBundle bundle;
  private final ModelMetadata metadata;
  private final List<String> labels;
  private final SessionFunction classify;
  private final SessionFunction features;

  private SavedResNet(SavedModelBundle bundle, ModelMetadata metadata, List<String> labels) {
    this.bundle = bundle;
    this.metadata = metadata;
    this.labels = labels;
    this.classify = bundle.function(SavedModelContract.CLASSIFY_SIGNATURE);
    this.features = bundle.function(SavedModelContract.FEATURES_SIGNATURE);
  }

  public static SavedResNet load(Path dir) throws IOException {
    return load(dir, ConfigProto.getDefaultInstance());
  }

  /** Loads with the given session configuration (threads, device placement, GPU memory growth). */
  public static SavedResNet load(Path dir, ConfigProto config) throws IOException {
    ModelMetadata metadata = ModelMetadata.read(dir);
    List<String> labels = Labels.read(
        dir.resolve(SavedModelContract.ASSETS_DIR).resolve(SavedModelContract.LABELS_FILE), metadata.numClasses());
    SavedModelBundle bundle = SavedModelBundle.loader(dir.toString())
        .withTags(SavedModelContract.TAG)
        .withConfigProto(config)
        .load();
    return new SavedResNet(bundle, metadata, labels);
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  public List<String> labels() {
    return labels;
  }

  /** Logits and softmax probabilities of a batch, each row-major [batch, classes]. */
  public record Classification(int batch, int classes, float[] logits, float[] probabilities) {
    public float logit(int image, int cls) {
      return logits[image * classes + cls];
    }

    public float probability(int image, int cls) {
      return probabilities[image * classes + cls];
    }
  }

  /**
   * Runs {@code serving_default} on {@code batch} preprocessed NHWC images of {@code height x width}, read from
   * {@code pixels} (position to limit).
   */
  public Classification classify(FloatBuffer pixels, int batch, int height, int width) {
    try (TFloat32 input = inputTensor(pixels, batch, height, width);
         Result result = classify.call(Map.of(SavedModelContract.INPUT, input))) {
      float[] logits = copyOut(result, SavedModelContract.LOGITS, batch);
      float[] probabilities = copyOut(result, SavedModelContract.PROBABILITIES, batch);
      return new Classification(batch, logits.length / batch, logits, probabilities);
    }
  }

  /** Runs {@code features}: pooled embeddings, row-major [batch, featureDim]. */
  public float[] embed(FloatBuffer pixels, int batch, int height, int width) {
    try (TFloat32 input = inputTensor(pixels, batch, height, width);
         Result result = features.call(Map.of(SavedModelContract.INPUT, input))) {
      return copyOut(result, SavedModelContract.EMBEDDINGS, batch);
    }
  }

  /** One input or output of a signature, without TF Java types: name, dtype (e.g. DT_FLOAT) and shape (-1 unknown). */
  public record TensorSpec(String dtype, long[] shape) {
  }

  /** Each signature's inputs and outputs by key, as stored in the SavedModel. */
  public Map<String, Map<String, Map<String, TensorSpec>>> signatures() {
    Map<String, Map<String, Map<String, TensorSpec>>> result = new TreeMap<>();
    for (Signature s : bundle.signatures()) {
      result.put(s.key(), Map.of("inputs", specs(s.getInputs()), "outputs", specs(s.getOutputs())));
    }
    return result;
  }

  private static Map<String, TensorSpec> specs(Map<String, Signature.TensorDescription> descriptions) {
    Map<String, TensorSpec> specs = new TreeMap<>();
    descriptions.forEach((k, d) -> specs.put(k, new TensorSpec(d.dataType.name(), d.shape.asArray())));
    return specs;
  }

  /** The distinct operation types in the loaded graph, for allow-listing what a model may run. */
  public Set<String> operationTypes() {
    Set<String> types = new LinkedHashSet<>();
    for (Iterator<GraphOperation> it = bundle.graph().operations(); it.hasNext(); ) {
      types.add(it.next().type());
    }
    return types;
  }

  private static TFloat32 inputTensor(FloatBuffer pixels, int batch, int height, int width) {
    long expected = (long) batch * height * width * 3;
    if (pixels.remaining() != expected) {
      throw new IllegalArgumentException("a batch of " + batch + " images of " + height + "x" + width
          + "x3 needs " + expected + " floats, got " + pixels.remaining());
    }
    Shape shape = Shape.of(batch, height, width, 3);
    if (pixels.hasArray()) {
      // ndarray copies an array-backed buffer into the tensor in bulk, an NIO-backed one float by float (about 3x
      // slower for a batch of 32: see docs/BENCHMARKS.md, "input copy").
      return TFloat32.tensorOf(shape, DataBuffers.of(pixels.array(), true, false)
          .slice(pixels.arrayOffset() + pixels.position(), expected));
    }
    return TFloat32.tensorOf(shape, DataBuffers.of(pixels.slice()));
  }

  private static float[] copyOut(Result result, String name, int batch) {
    Tensor t = result.get(name).orElseThrow(() -> new IllegalStateException("model has no output " + name));
    TFloat32 values = (TFloat32) t;
    long n = values.shape().size();
    if (values.shape().numDimensions() != 2 || values.shape().get(0) != batch) {
      throw new IllegalStateException("output " + name + " has shape " + values.shape() + ", expected [" + batch
          + ", C]");
    }
    float[] out = new float[Math.toIntExact(n)];
    values.asRawTensor().data().asFloats().read(out);
    return out;
  }

  @Override
  public void close() {
    bundle.close();
  }
}
