package io.resnetspark.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import io.resnetspark.model.Architecture;
import io.resnetspark.model.TestInputs;
import io.resnetspark.model.graph.ResNetGraph.BatchNormMode;
import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.model.weights.SafetensorsTestWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Our SavedModel against ONNX Runtime on the same weights, threads and batches (issue 14). The ONNX file is the
 * torchvision network with the state_dict this bench writes next to our export ({@code --weights-only}, then
 * {@code scripts/bench/export_onnx.py}); the bench checks both compute the same logits, alternates their samples
 * so a neighbour's load hits both alike, and sums ONNX Runtime's own profile by op type.
 */
@Command(name = "OrtBench", mixinStandardHelpOptions = true)
public final class OrtBench implements Callable<Integer> {
  @Option(names = "--arch", split = ",", defaultValue = "resnet50")
  List<String> archs;
  @Option(names = "--batch", split = ",", defaultValue = "1,8,16,32")
  List<Integer> batches;
  @Option(names = "--repeats", defaultValue = "3")
  int repeats;
  @Option(names = "--min-seconds", defaultValue = "1.0", description = "Shortest sample; at least one call.")
  double minSeconds;
  @Option(names = "--intra", defaultValue = "2")
  int intra;
  @Option(names = "--inter", defaultValue = "1")
  int inter;
  @Option(names = "--ours", defaultValue = "folded",
      description = "Our model: a directory under --models, or a BatchNormMode (folded, separate, folded_winograd, "
          + "folded_winograd_4x4) for the exported <arch>-<mode>.")
  String ours;
  @Option(names = "--jit", description = "Our session with XLA's auto-clustering (global_jit_level ON_1); on CPU it "
      + "also needs TF_XLA_FLAGS=--tf_xla_cpu_global_jit in the environment.")
  boolean jit;
  @Option(names = "--profile-batch", split = ",",
      description = "Batches at which ONNX Runtime's profiler runs (its own session); none by default.")
  List<Integer> profileBatches = new ArrayList<>();
  @Option(names = "--profile-runs", defaultValue = "4")
  int profileRuns;
  @Option(names = "--models", required = true, description = "Directory of exported models and ONNX files.")
  Path models;
  @Option(names = "--weights-only", description = "Only export our model and write <arch>-weights.safetensors.")
  boolean weightsOnly;
  @Option(names = "--label", defaultValue = "")
  String label;
  @Option(names = "--out", required = true)
  Path out;

  private static final int SIZE = 224;
  private static final OperatingSystemMXBean PROCESS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    System.exit(new CommandLine(new OrtBench()).execute(args));
  }

  /** The state_dict our exported model was built from, as the safetensors file export_onnx.py reads. */
  static Path weightsFile(Path models, Architecture arch) {
    return models.resolve(arch.id() + "-weights.safetensors");
  }

  static Path onnxFile(Path models, Architecture arch) {
    return models.resolve(arch.id() + ".onnx");
  }

  @Override
  public Integer call() throws Exception {
    BenchRecords records = new BenchRecords(out);
    for (String archId : archs) {
      Architecture arch = Architecture.fromId(archId);
      Path ourDir = Arrays.stream(BatchNormMode.values()).anyMatch(m -> m.name().equalsIgnoreCase(ours))
          ? ModelBench.exported(models, arch, BatchNormMode.valueOf(ours.toUpperCase())) : models.resolve(ours);
      if (weightsOnly) {
        Path weights = weightsFile(models, arch);
        if (!Files.exists(weights)) {
          SafetensorsTestWriter.write(RandomWeights.withBatchNormFarFromDefaults(arch, 1000, 0), weights);
        }
        continue;
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      ConfigProto.Builder config = ConfigProto.newBuilder().setIntraOpParallelismThreads(intra)
          .setInterOpParallelismThreads(inter);
      if (jit) {
        config.setGraphOptions(GraphOptions.newBuilder().setOptimizerOptions(
            OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1)));
      }
      try (SavedResNet model = SavedResNet.load(ourDir, config.build());
           SessionOptions options = sessionOptions();
           OrtSession session = env.createSession(onnxFile(models, arch).toString(), options)) {
        parity(records, arch, model, env, session);
        for (int batch : batches) {
          measure(records, arch, batch, model, env, session);
        }
      }
      for (int batch : profileBatches) {
        profile(records, arch, env, batch);
      }
    }
    return 0;
  }

  /** As a Spark user of ONNX Runtime would set it up: every graph optimisation, ops run one after another. */
  private SessionOptions sessionOptions() throws OrtException {
    SessionOptions options = new SessionOptions();
    options.setIntraOpNumThreads(intra);
    options.setInterOpNumThreads(inter);
    options.setOptimizationLevel(OptLevel.ALL_OPT);
    options.setExecutionMode(ExecutionMode.SEQUENTIAL);
    return options;
  }

  /** Both engines on the same two images: the comparison is only fair if they compute the same function. */
  private void parity(BenchRecords records, Architecture arch, SavedResNet model, OrtEnvironment env,
      OrtSession session) throws OrtException {
    int batch = 2;
    FloatBuffer nhwc = TestInputs.images(batch, SIZE, SIZE);
    float[] ourLogits = model.classify(nhwc.duplicate(), batch, SIZE, SIZE).logits();
    float[] ortLogits = runOrt(env, session, FloatBuffer.wrap(nchw(nhwc, batch)), batch);
    double maxDiff = 0;
    double maxLogit = 0;
    for (int i = 0; i < ourLogits.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ourLogits[i] - ortLogits[i]));
      maxLogit = Math.max(maxLogit, Math.abs(ourLogits[i]));
    }
    Map<String, Object> rec = BenchRecords.record("ort_parity");
    rec.put("arch", arch.id());
    rec.put("batch", batch);
    rec.put("logits", ourLogits.length);
    rec.put("max_abs_diff", maxDiff);
    rec.put("max_abs_logit", maxLogit);
    rec.put("relative", maxDiff / maxLogit);
    rec.put("label", label);
    records.write(rec);
  }

  private void measure(BenchRecords records, Architecture arch, int batch, SavedResNet model, OrtEnvironment env,
      OrtSession session) throws OrtException {
    // Each engine gets its own natural input: ours NHWC in a heap array (the udf's path), ONNX Runtime NCHW in a
    // direct buffer it wraps without copying.
    FloatBuffer nhwc = FloatBuffer.wrap(randomPixels(batch));
    FloatBuffer nchw = ByteBuffer.allocateDirect(nhwc.capacity() * Float.BYTES).order(ByteOrder.nativeOrder())
        .asFloatBuffer().put(nchw(nhwc, batch)).flip();
    Engine ourEngine = () -> model.classify(nhwc.duplicate(), batch, SIZE, SIZE);
    Engine ortEngine = () -> runOrt(env, session, nchw.duplicate(), batch);
    List<Engine> engines = List.of(ourEngine, ortEngine);
    List<String> names = List.of("tfjava", "ort");
    List<List<double[]>> samples = List.of(new ArrayList<>(), new ArrayList<>());
    for (Engine e : engines) {
      sample(e, batch, 0.5); // first calls at a new shape pick kernels and allocate: not steady state
    }
    for (int r = 0; r < repeats; r++) {
      for (int i = 0; i < engines.size(); i++) {
        samples.get(i).add(sample(engines.get(i), batch, minSeconds));
      }
    }
    for (int i = 0; i < engines.size(); i++) {
      Map<String, Object> rec = BenchRecords.record("ort_peer");
      rec.put("impl", names.get(i));
      rec.put("arch", arch.id());
      rec.put("batch", batch);
      rec.put("intra", intra);
      rec.put("inter", inter);
      rec.put("ours", ours + (jit ? "+jit" : ""));
      rec.put("label", label);
      rec.put("img_s", samples.get(i).stream().map(s -> s[0]).toList());
      rec.put("cpu_ms_per_img", samples.get(i).stream().map(s -> s[1]).toList());
      rec.put("load1", samples.get(i).stream().map(s -> s[2]).toList());
      records.write(rec);
    }
  }

  interface Engine {
    void call() throws OrtException;
  }

  /** Images per second, CPU ms per image (the whole process) and the 1-minute load average at the end. */
  private double[] sample(Engine engine, int batch, double seconds) throws OrtException {
    long cpuStart = PROCESS.getProcessCpuTime();
    long start = System.nanoTime();
    int calls = 0;
    do {
      engine.call();
      calls++;
    } while ((System.nanoTime() - start) / 1e9 < seconds);
    double wall = (System.nanoTime() - start) / 1e9;
    long images = (long) calls * batch;
    return new double[] {images / wall, (PROCESS.getProcessCpuTime() - cpuStart) / 1e6 / images,
        PROCESS.getSystemLoadAverage()};
  }

  private static float[] runOrt(OrtEnvironment env, OrtSession session, FloatBuffer nchw, int batch)
      throws OrtException {
    try (OnnxTensor input = OnnxTensor.createTensor(env, nchw, new long[] {batch, 3, SIZE, SIZE});
         OrtSession.Result result = session.run(Map.of("images", input))) {
      FloatBuffer logits = ((OnnxTensor) result.get(0)).getFloatBuffer();
      float[] out = new float[logits.remaining()];
      logits.get(out);
      return out;
    }
  }

  /**
   * ONNX Runtime's own profiler in a session of its own (profiling slows every run a little), summed by op type
   * over {@code profileRuns} runs after two warm-up runs.
   */
  private void profile(BenchRecords records, Architecture arch, OrtEnvironment env, int batch)
      throws OrtException, IOException {
    Path prefix = Files.createTempDirectory("ort-profile").resolve(arch.id() + "-b" + batch);
    String file;
    FloatBuffer nchw = ByteBuffer.allocateDirect(batch * 3 * SIZE * SIZE * Float.BYTES)
        .order(ByteOrder.nativeOrder()).asFloatBuffer().put(randomPixels(batch)).flip();
    try (SessionOptions options = sessionOptions()) {
      options.enableProfiling(prefix.toString());
      try (OrtSession session = env.createSession(onnxFile(models, arch).toString(), options)) {
        for (int i = 0; i < 2 + profileRuns; i++) {
          runOrt(env, session, nchw.duplicate(), batch);
        }
        file = session.endProfiling();
      }
    }
    JsonNode events = JSON.readTree(Path.of(file).toFile());
    List<Long> runStarts = new ArrayList<>();
    for (JsonNode e : events) {
      if ("model_run".equals(e.path("name").asText())) {
        runStarts.add(e.path("ts").asLong());
      }
    }
    runStarts.sort(Long::compare);
    long measuredFrom = runStarts.get(2);
    double runMicros = 0;
    Map<String, Double> microsByOp = new TreeMap<>();
    Map<String, Integer> nodesByOp = new TreeMap<>();
    for (JsonNode e : events) {
      if (e.path("ts").asLong() < measuredFrom) {
        continue;
      }
      if ("model_run".equals(e.path("name").asText())) {
        runMicros += e.path("dur").asDouble();
      } else if ("Node".equals(e.path("cat").asText()) && e.path("name").asText().endsWith("_kernel_time")) {
        String op = e.path("args").path("op_name").asText("?");
        microsByOp.merge(op, e.path("dur").asDouble(), Double::sum);
        nodesByOp.merge(op, 1, Integer::sum);
      }
    }
    Map<String, Double> msByOp = new TreeMap<>();
    microsByOp.forEach((k, v) -> msByOp.put(k, Math.round(v / profileRuns / 10.0) / 100.0));
    Map<String, Integer> countsByOp = new TreeMap<>();
    nodesByOp.forEach((k, v) -> countsByOp.put(k, v / profileRuns));
    Map<String, Object> rec = BenchRecords.record("ort_profile");
    rec.put("arch", arch.id());
    rec.put("batch", batch);
    rec.put("runs", profileRuns);
    rec.put("ms_per_run", runMicros / profileRuns / 1e3);
    rec.put("ms_by_op_type", msByOp);
    rec.put("op_counts", countsByOp);
    rec.put("label", label);
    records.write(rec);
    Files.deleteIfExists(Path.of(file));
  }

  private static float[] randomPixels(int batch) {
    SplittableRandom random = new SplittableRandom(batch);
    float[] v = new float[batch * SIZE * SIZE * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextDouble(-2, 2);
    }
    return v;
  }

  /** An NHWC batch as NCHW, the layout of torchvision's (and so the ONNX file's) input. */
  static float[] nchw(FloatBuffer nhwc, int batch) {
    float[] out = new float[batch * 3 * SIZE * SIZE];
    for (int n = 0; n < batch; n++) {
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          for (int c = 0; c < 3; c++) {
            out[((n * 3 + c) * SIZE + y) * SIZE + x] = nhwc.get(((n * SIZE + y) * SIZE + x) * 3 + c);
          }
        }
      }
    }
    return out;
  }
}
