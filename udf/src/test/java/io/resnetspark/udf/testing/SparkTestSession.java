package io.resnetspark.udf.testing;

import org.apache.spark.sql.SparkSession;

/** The local[2] session test classes share: two task threads in one JVM, like a two-core executor. */
public final class SparkTestSession {
  private SparkTestSession() {
  }

  public static SparkSession start(String appName) {
    return SparkSession.builder()
        .master("local[2]")
        .appName(appName)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
  }
}
