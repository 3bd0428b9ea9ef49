package io.resnetspark.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What building the input tensor costs: {@code SavedResNet} copies the caller's pixels into a new tensor once per
 * batch, the one copy a zero-copy input path could save. ndarray copies an NIO-backed buffer element by element but
 * an array-backed one in bulk, so the three ways a caller's floats can arrive are timed.
 */
@Command(name = "InputCopyBench", mixinStandardHelpOptions = true)
public final class InputCopyBench implements Callable<Integer> {
  @Option(names = "--batch", defaultValue = "32")
  int batch;
  @Option(names = "--size", defaultValue = "224")
  int size;
  @Option(names = "--repeats", defaultValue = "30")
  int repeats;
  @Option(names = "--out", required = true)
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new InputCopyBench()).execute(args));
  }

  @Override
  public Integer call() {
    int floats = batch * size * size * 3;
    FloatBuffer direct = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder())
        .asFloatBuffer();
    FloatBuffer heap = FloatBuffer.allocate(floats);
    Map<String, Object> rec = BenchRecords.record("input_copy");
    rec.put("batch", batch);
    rec.put("bytes", (long) floats * Float.BYTES);
    rec.put("nio_direct_ms", time(() -> DataBuffers.of(direct.duplicate().slice())));
    rec.put("nio_heap_ms", time(() -> DataBuffers.of(heap.duplicate().slice())));
    rec.put("array_ms", time(() -> DataBuffers.of(heap.array(), true, false).slice(heap.arrayOffset(), floats)));
    new BenchRecords(out).write(rec);
    return 0;
  }

  /** Milliseconds to build (and close) a tensor from {@code source}, per repeat. */
  private List<Double> time(Supplier<FloatDataBuffer> source) {
    Shape shape = Shape.of(batch, size, size, 3);
    List<Double> ms = new ArrayList<>();
    for (int r = 0; r < repeats + 3; r++) {
      long start = System.nanoTime();
      try (TFloat32 t = TFloat32.tensorOf(shape, source.get())) {
        if (r >= 3) {
          ms.add((System.nanoTime() - start) / 1e6);
        }
      }
    }
    return ms;
  }
}
