package io.resnetspark.model;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/** Peak Java heap since {@link #start()}: the sum of the heap pools' own peaks, an upper bound of the true peak. */
final class HeapWatermark {
  private long peak;

  private HeapWatermark() {
  }

  static HeapWatermark start() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    HeapWatermark w = new HeapWatermark();
    w.sample();
    return w;
  }

  /** Records the pools' peaks so far; call after each phase (a GC between phases lowers nothing already seen). */
  void sample() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    peak = Math.max(peak, sum);
  }

  long peakBytes() {
    return peak;
  }
}
