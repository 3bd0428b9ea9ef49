package io.resnetspark.job;

/**
 * How many partitions (tasks) a run's images are spread over. Each task loads nothing new (the model is cached per
 * executor JVM), so the count trades scheduling overhead against balance and retry cost: by default one partition
 * per {@code --bytes-per-partition} of input, at least one per core so every core works, and never more than one
 * per image.
 */
public final class Partitioning {
  private Partitioning() {
  }

  /**
   * @param requested {@code --partitions}, or null
   * @param bytesPerPartition {@code --bytes-per-partition}
   * @param totalBytes bytes of the images to label
   * @param images how many images to label
   * @param cores the application's default parallelism
   */
  public static int partitions(Integer requested, long bytesPerPartition, long totalBytes, long images, int cores) {
    if (images <= 0) {
      return 1;
    }
    if (requested != null) {
      return requested;
    }
    long bySize = (totalBytes + bytesPerPartition - 1) / bytesPerPartition;
    long wanted = Math.max(bySize, Math.max(1, cores));
    return (int) Math.min(Math.min(wanted, images), Integer.MAX_VALUE);
  }
}
