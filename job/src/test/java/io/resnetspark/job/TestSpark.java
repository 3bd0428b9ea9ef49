package io.resnetspark.job;

import org.apache.spark.sql.SparkSession;

/**
 * One local[2] Spark session for all tests of this JVM: starting Spark costs seconds. The job reuses an active
 * session instead of creating its own (and then leaves it running), so in-process job runs share it too.
 */
final class TestSpark {
  private static SparkSession spark;

  private TestSpark() {
  }

  static synchronized SparkSession session() {
    if (spark == null) {
      spark = SparkSession.builder()
          .master("local[2]")
          .appName("resnet-spark job tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.ui.showConsoleProgress", "false")
          .getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
    }
    return spark;
  }
}
