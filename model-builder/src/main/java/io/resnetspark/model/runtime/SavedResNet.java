package io.resnetspark.model.runtime;

import io.resnetspark.model.Labels;
import io.resnetspark.model.ModelMetadata;
import io.resnetspark.model.contract.SavedModelContract;
import io.resnetspark.model.contract.SavedModelLayout;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
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

  private final String inputName;
  private final String probabilitiesName;
  private final String embeddingsName;

  private SavedResNet(SavedModelBundle bundle, ModelMetadata metadata, List<String> labels) {
    this.bundle = bundle;
    this.metadata = metadata;
    this.labels = labels;
    this.classify = bundle.function(SavedModelContract.CLASSIFY_SIGNATURE);
    this.features = bundle.function(SavedModelContract.FEATURES_SIGNATURE);
    this.inputName = tensorName(classify, SavedModelContract.INPUT, true);
    this.probabilitiesName = tensorName(classify, SavedModelContract.PROBABILITIES, false);
    this.embeddingsName = tensorName(features, SavedModelContract.EMBEDDINGS, false);
  }

  /**
   * How a session may use the machine. {@code gpu} is one device id as TF's {@code visible_device_list} takes it,
   * or null for CPU only. TF applies GPU options once per process, so one process serves one GPU.
   */
  public record Options(int intraOpThreads, int interOpThreads, String gpu) {
    public Options {
      if (intraOpThreads < 1 || interOpThreads < 1) {
        throw new IllegalArgumentException(
            "op thread counts must be positive, got intra=" + intraOpThreads + " inter=" + interOpThreads);
      }
      if (gpu != null && !gpu.matches("\\d+")) {
        throw new IllegalArgumentException("a GPU is named by its device number, got '" + gpu + "'");
      }
    }

    public static Options cpu(int intraOpThreads, int interOpThreads) {
      return new Options(intraOpThreads, interOpThreads, null);
    }

    public ConfigProto toConfigProto() {
      ConfigProto.Builder config = ConfigProto.newBuilder()
          .setIntraOpParallelismThreads(intraOpThreads)
          .setInterOpParallelismThreads(interOpThreads);
      if (gpu == null) {
        // A GPU build of TF would otherwise claim every GPU of the host, including ones other processes were given.
        config.putDeviceCount("GPU", 0);
        // Of grappler's passes only the remapper, which fuses each convolution with its bias and ReLU, changes what
        // a CPU runs here; the others copy the graph, and with it the weights held as constants, pass after pass:
        // about 4 s more on the first run of ResNet-50 for no later gain (docs/BENCHMARKS.md). On a GPU the layout
        // pass matters, so GPU sessions keep grappler's defaults.
        config.setGraphOptions(GraphOptions.newBuilder()
            .setRewriteOptions(RewriterConfig.newBuilder().addOptimizers("remap")));
      } else {
        config.setGpuOptions(GPUOptions.newBuilder().setVisibleDeviceList(gpu).setAllowGrowth(true))
            .setAllowSoftPlacement(true);
      }
      return config.build();
    }
  }

  /** Loads with the given threads and device. */
  public static SavedResNet load(Path dir, Options options) throws IOException {
    return load(dir, options.toConfigProto());
  }

  public static SavedResNet load(Path dir) throws IOException {
    return load(dir, ConfigProto.getDefaultInstance());
  }

  /** Loads with the given session configuration (threads, device placement, GPU memory growth). */
  public static SavedResNet load(Path dir, ConfigProto config) throws IOException {
    ModelMetadata metadata = ModelMetadata.read(dir);
    List<String> labels = Labels.read(SavedModelLayout.labelsFile(dir), metadata.numClasses());
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

  /** Probabilities, row-major [batch, classes], and, when asked for, embeddings, row-major [batch, featureDim]. */
  public record Prediction(int batch, int classes, float[] probabilities, float[] embeddings) {
  }

  /**
   * Runs the network once for probabilities and, if {@code withEmbeddings}, the pooled features of the same pass (the
   * two signatures share the backbone, so one run serves both).
   */
  public Prediction predict(FloatBuffer pixels, int batch, int height, int width, boolean withEmbeddings) {
    try (TFloat32 input = inputTensor(pixels, batch, height, width)) {
      Session.Runner runner = bundle.session().runner().feed(inputName, input).fetch(probabilitiesName);
      if (withEmbeddings) {
        runner.fetch(embeddingsName);
      }
      try (Result result = runner.run()) {
        float[] probabilities = copyOut(result.get(0), SavedModelContract.PROBABILITIES, batch);
        float[] embeddings = withEmbeddings ? copyOut(result.get(1), SavedModelContract.EMBEDDINGS, batch) : null;
        return new Prediction(batch, probabilities.length / batch, probabilities, embeddings);
      }
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

  /**
   * The devices TensorFlow actually runs the network on (e.g. {@code /job:localhost/replica:0/task:0/device:CPU:0}),
   * from one traced run of a smallest-size zero image. Asking for a GPU is only a request: a CPU-only build, or a
   * machine without the device, runs on the CPU instead.
   */
  public Set<String> devices() {
    int size = SavedModelContract.MIN_INPUT_SIZE;
    RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build();
    try (TFloat32 input = TFloat32.tensorOf(Shape.of(1, size, size, 3));
         Result result = bundle.session().runner().feed(inputName, input).fetch(probabilitiesName)
             .setOptions(trace).runAndFetchMetadata()) {
      RunMetadata metadata = result.getMetadata()
          .orElseThrow(() -> new IllegalStateException("a traced run returned no metadata"));
      Set<String> devices = new TreeSet<>();
      metadata.getStepStats().getDevStatsList().forEach(d -> devices.add(d.getDevice()));
      return devices;
    }
  }

  /** The distinct operation types in the loaded graph, for allow-listing what a model may run. */
  public Set<String> operationTypes() {
    Set<String> types = new LinkedHashSet<>();
    for (Iterator<GraphOperation> it = bundle.graph().operations(); it.hasNext(); ) {
      types.add(it.next().type());
    }
    return types;
  }

  private static String tensorName(SessionFunction function, String key, boolean input) {
    var descriptions = input ? function.signature().getInputs() : function.signature().getOutputs();
    var description = descriptions.get(key);
    if (description == null) {
      throw new IllegalStateException("signature " + function.signature().key() + " has no "
          + (input ? "input " : "output ") + key + "; the model does not follow the resnet-spark contract");
    }
    return description.name;
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
    return copyOut(result.get(name).orElseThrow(() -> new IllegalStateException("model has no output " + name)),
        name, batch);
  }

  private static float[] copyOut(Tensor t, String name, int batch) {
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
