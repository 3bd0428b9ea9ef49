package io.resnetspark.bench;

import io.resnetspark.model.contract.SavedModelContract;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Where the time goes: runs a SavedModel with full tracing and sums each op type's time, and lists the op types
 * (with the fusions grappler's remapper chose) in the graph that actually ran, i.e. after optimisation.
 */
@Command(name = "OpProfileBench", mixinStandardHelpOptions = true)
public final class OpProfileBench implements Callable<Integer> {
  @Option(names = "--model", required = true)
  Path model;
  @Option(names = "--batch", defaultValue = "8")
  int batch;
  @Option(names = "--size", defaultValue = "224")
  int size;
  @Option(names = "--runs", defaultValue = "3", description = "Traced runs after two untraced warm-up runs.")
  int runs;
  @Option(names = "--label", defaultValue = "")
  String label;
  @Option(names = "--out", required = true)
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new OpProfileBench()).execute(args));
  }

  @Override
  public Integer call() {
    ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(2).setInterOpParallelismThreads(1)
        .build();
    RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE)
        .setOutputPartitionGraphs(true).build();
    try (SavedModelBundle bundle = SavedModelBundle.loader(model.toString()).withTags(SavedModelContract.TAG)
        .withConfigProto(config).load();
         TFloat32 images = TFloat32.tensorOf(Shape.of(batch, size, size, 3))) {
      for (int i = 0; i < 2; i++) {
        bundle.session().runner().feed(SavedModelContract.INPUT, images).fetch(SavedModelContract.LOGITS).run()
            .close();
      }
      Map<String, Double> microsByType = new TreeMap<>();
      Map<String, Integer> opsByType = new TreeMap<>();
      Map<String, Integer> fusions = new TreeMap<>();
      double wallMicros = 0;
      for (int r = 0; r < runs; r++) {
        long start = System.nanoTime();
        try (Result result = bundle.session().runner().feed(SavedModelContract.INPUT, images)
            .fetch(SavedModelContract.LOGITS).setOptions(trace).runAndFetchMetadata()) {
          wallMicros += (System.nanoTime() - start) / 1e3;
          RunMetadata meta = result.getMetadata().orElseThrow();
          Map<String, String> typeOf = new LinkedHashMap<>();
          for (GraphDef partition : meta.getPartitionGraphsList()) {
            for (NodeDef node : partition.getNodeList()) {
              typeOf.put(node.getName(), node.getOp());
              if (r == 0) {
                opsByType.merge(node.getOp(), 1, Integer::sum);
                if (node.getAttrMap().containsKey("fused_ops")) {
                  String ops = String.join("+", node.getAttrMap().get("fused_ops").getList().getSList().stream()
                      .map(b -> b.toStringUtf8()).toList());
                  fusions.merge(node.getOp() + "[" + ops + "]", 1, Integer::sum);
                }
              }
            }
          }
          for (DeviceStepStats device : meta.getStepStats().getDevStatsList()) {
            for (NodeExecStats node : device.getNodeStatsList()) {
              String type = typeOf.getOrDefault(node.getNodeName(), "(other)");
              microsByType.merge(type, (double) node.getAllEndRelMicros() / runs, Double::sum);
            }
          }
        }
      }
      Map<String, Object> rec = BenchRecords.record("op_profile");
      rec.put("model", model.getFileName().toString());
      rec.put("batch", batch);
      rec.put("label", label);
      rec.put("wall_ms_per_run", wallMicros / runs / 1e3);
      rec.put("ms_by_op_type", scale(microsByType));
      rec.put("op_counts", opsByType);
      rec.put("fusions", fusions);
      new BenchRecords(out).write(rec);
    }
    return 0;
  }

  private static Map<String, Double> scale(Map<String, Double> micros) {
    Map<String, Double> ms = new TreeMap<>();
    micros.forEach((k, v) -> ms.put(k, Math.round(v / 10.0) / 100.0));
    return ms;
  }
}
