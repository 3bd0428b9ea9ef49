package io.resnetspark.job;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.util.AccumulatorV2;

/**
 * Counts per key (label names, error codes) summed over tasks. Spark applies a successful task's updates once
 * for the stage that writes the output, so the totals match the rows committed.
 */
public final class CountsAccumulator extends AccumulatorV2<String, Map<String, Long>> {
  private static final long serialVersionUID = 1L;
  private final HashMap<String, Long> counts = new HashMap<>();

  @Override
  public boolean isZero() {
    return counts.isEmpty();
  }

  @Override
  public CountsAccumulator copy() {
    CountsAccumulator copy = new CountsAccumulator();
    copy.counts.putAll(counts);
    return copy;
  }

  @Override
  public void reset() {
    counts.clear();
  }

  @Override
  public void add(String key) {
    add(key, 1);
  }

  public void add(String key, long n) {
    counts.merge(key, n, Long::sum);
  }

  @Override
  public void merge(AccumulatorV2<String, Map<String, Long>> other) {
    other.value().forEach(this::add);
  }

  /** An unmodifiable view; copy it before the accumulator changes again. */
  @Override
  public Map<String, Long> value() {
    return Collections.unmodifiableMap(counts);
  }
}
