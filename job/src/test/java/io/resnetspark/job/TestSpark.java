package io.resnetspark.job;

import io.resnetspark.job.testing.FlakyFileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local[2] Spark session shared by the tests of one class (starting Spark costs seconds), stopped after the
 * class: other test classes of this JVM start Spark applications of their own (a standalone cluster's, an S3
 * client's), and a JVM holds one SparkContext at a time. The job reuses an active session instead of creating one,
 * so in-process job runs share it too. Use with {@code @ExtendWith(TestSpark.class)}.
 */
final class TestSpark implements AfterAllCallback {
  private static SparkSession spark;

  static synchronized SparkSession session() {
    if (spark == null || spark.sparkContext().isStopped()) {
      spark = SparkSession.builder()
          .master("local[2]")
          .appName("resnet-spark job tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.ui.showConsoleProgress", "false")
          .config(FlakyFileSystem.IMPL_KEY, FlakyFileSystem.class.getName())
          .getOrCreate();
    }
    return spark;
  }

  /** Stops the session after a top-level test class (not after each of its nested classes). */
  @Override
  public void afterAll(ExtensionContext context) {
    boolean topLevel = context.getParent().flatMap(ExtensionContext::getTestClass).isEmpty();
    if (topLevel) {
      synchronized (TestSpark.class) {
        if (spark != null) {
          spark.stop();
          spark = null;
        }
      }
    }
  }
}
