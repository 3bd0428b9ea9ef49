package io.resnetspark.bench;

import com.sun.management.OperatingSystemMXBean;
import io.resnetspark.model.Architecture;
import io.resnetspark.model.Labels;
import io.resnetspark.model.ModelMetadata.WeightsInfo;
import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.model.SavedModelExport;
import io.resnetspark.model.graph.ResNetGraph.BatchNormMode;
import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.model.weights.RandomWeights;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tensorflow.proto.ConfigProto;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Raw model throughput through the executors' path: a SavedModel exported by {@link SavedModelExport}, loaded and
 * run by {@link SavedResNet#classify}. Several variants (export mode x session configuration) are measured side by side:
 * their samples alternate, so a neighbour's burst of load on this shared machine hits all of them alike.
 */
@Command(name = "ModelBench", mixinStandardHelpOptions = true)
public final class ModelBench implements Callable<Integer> {
  @Option(names = "--arch", split = ",", defaultValue = "resnet50")
  List<String> archs;
  @Option(names = "--batch", split = ",", defaultValue = "1,8,32,64")
  List<Integer> batches;
  @Option(names = "--variant", split = ";", defaultValue = "folded",
      description = "BN or BN:intra=N,inter=M,callers=K,model=DIR with BN folded|separate, DIR a directory under "
          + "--models to use instead of the exported <arch>-<bn>; ';' between variants.")
  List<String> variants;
  @Option(names = "--repeats", defaultValue = "5")
  int repeats;
  @Option(names = "--min-seconds", defaultValue = "1.5", description = "Shortest sample; at least one call.")
  double minSeconds;
  @Option(names = "--size", defaultValue = "224")
  int size;
  @Option(names = "--models", required = true, description = "Directory of exported models (reused if present).")
  Path models;
  @Option(names = "--label", defaultValue = "", description = "Free text stored with each record.")
  String label;
  @Option(names = "--out", required = true)
  Path out;

  private static final OperatingSystemMXBean PROCESS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) {
    System.exit(new CommandLine(new ModelBench()).execute(args));
  }

  /** One way of running a model: how it was exported and how its session and callers are set up. */
  record Variant(String spec, BatchNormMode bn, int intra, int inter, int callers, String model) {
    static Variant parse(String spec) {
      String[] parts = spec.split(":", 2);
      BatchNormMode bn = BatchNormMode.valueOf(parts[0].trim().toUpperCase());
      Map<String, String> opts = new LinkedHashMap<>(Map.of("intra", "2", "inter", "1", "callers", "1", "model", ""));
      if (parts.length > 1) {
        for (String kv : parts[1].split(",")) {
          String[] p = kv.split("=");
          if (!opts.containsKey(p[0].trim())) {
            throw new IllegalArgumentException("unknown variant option " + p[0] + " in " + spec);
          }
          opts.put(p[0].trim(), p[1].trim());
        }
      }
      return new Variant(spec, bn, Integer.parseInt(opts.get("intra")), Integer.parseInt(opts.get("inter")),
          Integer.parseInt(opts.get("callers")), opts.get("model"));
    }

    ConfigProto config() {
      return ConfigProto.newBuilder().setIntraOpParallelismThreads(intra).setInterOpParallelismThreads(inter).build();
    }
  }

  @Override
  public Integer call() throws Exception {
    BenchRecords records = new BenchRecords(out);
    List<Variant> vs = variants.stream().map(Variant::parse).toList();
    for (String archId : archs) {
      Architecture arch = Architecture.fromId(archId);
      List<SavedResNet> loaded = new ArrayList<>();
      try {
        for (Variant v : vs) {
          Path dir = v.model().isEmpty() ? exported(models, arch, v.bn()) : models.resolve(v.model());
          loaded.add(SavedResNet.load(dir, v.config()));
        }
        for (int batch : batches) {
          measure(records, arch, batch, vs, loaded);
        }
      } finally {
        loaded.forEach(SavedResNet::close);
      }
    }
    return 0;
  }

  private void measure(BenchRecords records, Architecture arch, int batch, List<Variant> vs, List<SavedResNet> loaded)
      throws Exception {
    FloatBuffer pixels = pixels(batch);
    List<List<Double>> samples = new ArrayList<>();
    List<List<Double>> cpu = new ArrayList<>();
    List<List<Double>> faults = new ArrayList<>();
    for (int i = 0; i < vs.size(); i++) {
      // The first calls at a new shape create oneDNN primitives and reorder cached weights: not steady state.
      sample(loaded.get(i), vs.get(i).callers(), pixels, batch, 0.5);
      samples.add(new ArrayList<>());
      cpu.add(new ArrayList<>());
      faults.add(new ArrayList<>());
    }
    for (int r = 0; r < repeats; r++) {
      for (int i = 0; i < vs.size(); i++) {
        Sample s = sample(loaded.get(i), vs.get(i).callers(), pixels, batch, minSeconds);
        samples.get(i).add(s.imagesPerSecond());
        cpu.get(i).add(s.cpuMillisPerImage());
        faults.get(i).add(s.minorFaultsPerImage());
      }
    }
    for (int i = 0; i < vs.size(); i++) {
      Variant v = vs.get(i);
      Map<String, Object> rec = BenchRecords.record("model");
      rec.put("impl", "tfjava");
      rec.put("arch", arch.id());
      rec.put("batch", batch);
      rec.put("size", size);
      rec.put("variant", v.spec());
      rec.put("batchnorm", v.bn().name().toLowerCase());
      rec.put("intra", v.intra());
      rec.put("inter", v.inter());
      rec.put("callers", v.callers());
      rec.put("macs", arch.macs(size, size, 1000));
      rec.put("label", label);
      rec.put("img_s", samples.get(i));
      rec.put("cpu_ms_per_img", cpu.get(i));
      rec.put("minor_faults_per_img", faults.get(i));
      records.write(rec);
    }
  }

  /**
   * Throughput, and the process's CPU time per image: on a shared machine the wall-clock rate moves with the
   * neighbours' load, the CPU time much less (it still counts spinning threads), so a lever that saves work shows
   * in both.
   */
  record Sample(double imagesPerSecond, double cpuMillisPerImage, double minorFaultsPerImage) {
  }

  /**
   * The process's minor page faults so far (Linux /proc/self/stat, field 10), or -1 elsewhere. Tensors freed and
   * allocated again through mmap fault in fresh zeroed pages on every run; a pooling allocator does not.
   */
  static long minorFaults() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[7]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** One sample of at least {@code seconds}, with {@code callers} threads calling the one model. */
  private Sample sample(SavedResNet model, int callers, FloatBuffer pixels, int batch, double seconds)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      long cpuStart = PROCESS.getProcessCpuTime();
      long faultsStart = minorFaults();
      long start = System.nanoTime();
      List<Future<Integer>> calls = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        calls.add(pool.submit(() -> {
          int n = 0;
          do {
            model.classify(pixels.duplicate(), batch, size, size);
            n++;
          } while ((System.nanoTime() - start) / 1e9 < seconds);
          return n;
        }));
      }
      long images = 0;
      for (Future<Integer> f : calls) {
        images += (long) f.get() * batch;
      }
      double wall = (System.nanoTime() - start) / 1e9;
      return new Sample(images / wall, (PROCESS.getProcessCpuTime() - cpuStart) / 1e6 / images,
          (double) (minorFaults() - faultsStart) / images);
    } finally {
      pool.shutdown();
    }
  }

  private FloatBuffer pixels(int batch) {
    SplittableRandom random = new SplittableRandom(batch);
    FloatBuffer b = ByteBuffer.allocateDirect(batch * size * size * 3 * Float.BYTES)
        .order(ByteOrder.nativeOrder()).asFloatBuffer();
    while (b.hasRemaining()) {
      b.put((float) random.nextDouble(-2, 2));
    }
    return b.flip();
  }

  /**
   * The model for {@code arch} exported with {@code bn}. Batch-norm statistics are moved away from torchvision's
   * fresh defaults (mean 0, var 1, gamma 1, beta 0), as in any trained checkpoint: with the defaults every folded
   * bias is exactly zero, grappler deletes the BiasAdds, and the graph that runs is not the one users get.
   */
  static Path exported(Path models, Architecture arch, BatchNormMode bn) throws IOException {
    Path dir = models.resolve(arch.id() + "-" + bn.name().toLowerCase());
    if (!Files.exists(dir)) {
      SavedModelExport.export(arch, RandomWeights.withBatchNormFarFromDefaults(arch, 1000, 0), WeightsInfo.random(0),
          Labels.defaults(1000), PreprocessSpec.Preset.IMAGENET1K_V1.spec(), dir, false, bn);
    }
    return dir;
  }
}
