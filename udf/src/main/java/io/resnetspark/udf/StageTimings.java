package io.resnetspark.udf;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Where the tasks of a {@link ResNetClassifier} spend their time, summed over tasks: getting and decoding images
 * (pulling rows from upstream on the task's prefetch thread, so reading the bytes too, plus each image's decode on
 * the executor's decode pool, summed over its threads), and running the model (the batch call and turning its output
 * into predictions). The two overlap in time, one batch apart, so they are thread-seconds per stage, not shares of
 * the wall time.
 *
 * <p>Each task books its totals once, on the task thread when it ends, so Spark merges exactly the values of
 * successful task attempts.
 */
public final class StageTimings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LongAccumulator readAndDecodeNanos;
  private final LongAccumulator inferenceNanos;

  StageTimings(LongAccumulator readAndDecodeNanos, LongAccumulator inferenceNanos) {
    this.readAndDecodeNanos = readAndDecodeNanos;
    this.inferenceNanos = inferenceNanos;
  }

  /** Accumulators registered with {@code sc}, named {@code <name> read+decode ns} and {@code <name> inference ns}. */
  public static StageTimings register(SparkContext sc, String name) {
    return new StageTimings(sc.longAccumulator(name + " read+decode ns"), sc.longAccumulator(name + " inference ns"));
  }

  /** Unregistered accumulators, for use without Spark (tests, a single JVM). */
  public static StageTimings local() {
    return new StageTimings(new LongAccumulator(), new LongAccumulator());
  }

  public long readAndDecodeNanos() {
    return readAndDecodeNanos.value();
  }

  public long inferenceNanos() {
    return inferenceNanos.value();
  }

  public void add(long readAndDecode, long inference) {
    readAndDecodeNanos.add(readAndDecode);
    inferenceNanos.add(inference);
  }
}
