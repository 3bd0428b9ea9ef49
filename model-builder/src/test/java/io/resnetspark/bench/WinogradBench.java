package io.resnetspark.bench;

import io.resnetspark.model.graph.ResNetGraph;
import io.resnetspark.model.graph.WeightOperands;
import io.resnetspark.model.graph.Winograd;
import io.resnetspark.model.weights.TensorData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One ResNet 3x3 stride-1 convolution (with its folded bias and ReLU) computed directly and by Winograd F(2x2,3x3)
 * and F(4x4,3x3) ({@link Winograd#conv3x3}), samples alternating, at each stage's shape: whether a rewrite can gain
 * before it is worth wiring into the export.
 */
@Command(name = "WinogradBench", mixinStandardHelpOptions = true)
public final class WinogradBench implements Callable<Integer> {
  @Option(names = "--shape", split = ",", defaultValue = "56x64,28x128,14x256,7x512",
      description = "Spatial size x channels (in = out) of each convolution.")
  List<String> shapes;
  @Option(names = "--tiling", split = ",", defaultValue = "F2X2,F4X4",
      description = "Winograd tilings timed against the direct convolution: ${COMPLETION-CANDIDATES}.")
  List<Winograd.Tiling> tilings;
  @Option(names = "--batch", split = ",", defaultValue = "1,8")
  List<Integer> batches;
  @Option(names = "--repeats", defaultValue = "3")
  int repeats;
  @Option(names = "--min-seconds", defaultValue = "0.5")
  double minSeconds;
  @Option(names = "--out", required = true)
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new WinogradBench()).execute(args));
  }

  @Override
  public Integer call() {
    BenchRecords records = new BenchRecords(out);
    ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(2).setInterOpParallelismThreads(1)
        .build();
    for (String shape : shapes) {
      int size = Integer.parseInt(shape.split("x")[0]);
      int channels = Integer.parseInt(shape.split("x")[1]);
      SplittableRandom random = new SplittableRandom(size);
      float[] oihw = new float[channels * channels * 9];
      for (int i = 0; i < oihw.length; i++) {
        oihw[i] = (float) (random.nextGaussian() * Math.sqrt(2.0 / (9 * channels)));
      }
      float[] bias = new float[channels];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = (float) random.nextDouble(-0.3, 0.3);
      }
      TensorData kernel = new TensorData(new long[] {channels, channels, 3, 3}, oihw);
      TensorData biasData = new TensorData(new long[] {channels}, bias);
      for (int batch : batches) {
        float[] x = new float[batch * size * size * channels];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) Math.max(0, random.nextDouble(-1, 2));
        }
        // variant 0 is the direct convolution, variant 1 + k Winograd with tilings.get(k)
        int variants = 1 + tilings.size();
        List<List<Double>> ms = new ArrayList<>();
        List<float[]> results = new ArrayList<>();
        List<Graph> graphs = new ArrayList<>();
        List<Session> sessions = new ArrayList<>();
        try (TFloat32 input = TFloat32.tensorOf(Shape.of(batch, size, size, channels),
            DataBuffers.of(x, true, false))) {
          List<Operand<TFloat32>> feeds = new ArrayList<>();
          List<Operand<TFloat32>> fetches = new ArrayList<>();
          for (int v = 0; v < variants; v++) {
            Graph g = new Graph();
            graphs.add(g);
            Ops tf = Ops.create(g);
            Operand<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, channels)));
            Operand<TFloat32> conv = v == 0
                ? ResNetGraph.groupedConv(tf, in, WeightOperands.convKernel(tf, "k", kernel), 1, 1, 1)
                : Winograd.conv3x3(tf, tilings.get(v - 1), in, "k", kernel);
            feeds.add(in);
            fetches.add(tf.nn.relu(tf.nn.biasAdd(conv, WeightOperands.constant(tf, "b", biasData))));
            sessions.add(new Session(g, config));
            ms.add(new ArrayList<>());
          }
          for (int v = 0; v < variants; v++) {
            results.add(time(sessions.get(v), feeds.get(v), fetches.get(v), input, 0.3)[1]);
          }
          for (int r = 0; r < repeats; r++) {
            for (int v = 0; v < variants; v++) {
              ms.get(v).add((double) time(sessions.get(v), feeds.get(v), fetches.get(v), input, minSeconds)[0][0]);
            }
          }
        } finally {
          sessions.forEach(Session::close);
          graphs.forEach(Graph::close);
        }
        double scale = 0;
        for (float y : results.get(0)) {
          scale = Math.max(scale, Math.abs(y));
        }
        for (int v = 0; v < variants; v++) {
          double maxDiff = 0;
          for (int i = 0; i < results.get(0).length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(results.get(0)[i] - results.get(v)[i]));
          }
          Map<String, Object> rec = BenchRecords.record("winograd");
          rec.put("impl", v == 0 ? "direct" : "winograd");
          if (v > 0) {
            rec.put("tiling", tilings.get(v - 1).name());
          }
          rec.put("shape", shape);
          rec.put("batch", batch);
          rec.put("ms_per_call", ms.get(v));
          rec.put("max_abs_diff_vs_direct", maxDiff);
          rec.put("max_abs_output", scale);
          records.write(rec);
        }
      }
    }
    return 0;
  }

  /** {ms per call} and the last output. */
  private static float[][] time(Session s, Operand<TFloat32> feed, Operand<TFloat32> fetch, TFloat32 input,
      double seconds) {
    long start = System.nanoTime();
    int calls = 0;
    float[] last = null;
    do {
      try (TFloat32 y = (TFloat32) s.runner().feed(feed, input).fetch(fetch).run().get(0)) {
        if (last == null) {
          last = new float[(int) y.shape().size()];
          y.asRawTensor().data().asFloats().read(last);
        }
      }
      calls++;
    } while ((System.nanoTime() - start) / 1e9 < seconds);
    return new float[][] {{(float) ((System.nanoTime() - start) / 1e6 / calls)}, last};
  }
}
