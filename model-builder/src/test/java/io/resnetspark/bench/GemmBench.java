package io.resnetspark.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The machine's practical float32 matrix-multiply rate through TF Java: an n x n x n MatMul on fed (not constant)
 * operands, so that grappler cannot fold it away, run as a target so no result is copied out.
 */
@Command(name = "GemmBench", mixinStandardHelpOptions = true)
public final class GemmBench implements Callable<Integer> {
  @Option(names = "--n", defaultValue = "2048")
  int n;
  @Option(names = "--threads", defaultValue = "2")
  int threads;
  @Option(names = "--repeats", defaultValue = "7")
  int repeats;
  @Option(names = "--min-seconds", defaultValue = "1.0", description = "Length of one sample.")
  double minSeconds;
  @Option(names = "--out", required = true)
  Path out;

  private static final OperatingSystemMXBean PROCESS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) {
    System.exit(new CommandLine(new GemmBench()).execute(args));
  }

  @Override
  public Integer call() {
    ConfigProto config = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(1).build();
    try (Graph g = new Graph(); Session s = new Session(g, config);
         TFloat32 a = random(n, 1); TFloat32 b = random(n, 2)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> pa = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> pb = tf.placeholder(TFloat32.class);
      MatMul<TFloat32> product = tf.linalg.matMul(pa, pb);
      Runnable once = () -> s.runner().feed(pa, a).feed(pb, b).addTarget(product).run().close();
      for (int i = 0; i < 3; i++) {
        once.run();
      }
      double flops = 2.0 * n * n * n;
      List<Double> gflops = new ArrayList<>();
      List<Double> perCpuSecond = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        long cpuStart = PROCESS.getProcessCpuTime();
        long start = System.nanoTime();
        int calls = 0;
        double elapsed;
        do {
          once.run();
          calls++;
          elapsed = (System.nanoTime() - start) / 1e9;
        } while (elapsed < minSeconds);
        gflops.add(flops * calls / elapsed / 1e9);
        perCpuSecond.add(flops * calls / ((PROCESS.getProcessCpuTime() - cpuStart) / 1e9) / 1e9);
      }
      Map<String, Object> rec = BenchRecords.record("gemm");
      rec.put("n", n);
      rec.put("threads", threads);
      rec.put("gflops", gflops);
      // per CPU-second of the whole process, i.e. per busy core: less moved by a neighbour taking a core
      rec.put("gflops_per_cpu_second", perCpuSecond);
      new BenchRecords(out).write(rec);
    }
    return 0;
  }

  private static TFloat32 random(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[n * n];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble(-1, 1);
    }
    return TFloat32.tensorOf(Shape.of(n, n), DataBuffers.of(values, true, false));
  }
}
