package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.ProjectFiles;
import io.resnetspark.job.testing.Scripts;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An s3a output is committed by an S3A committer or not written at all. */
class S3ACommitCheckTest {
  static final String OUTPUT = "s3a://lake/labels";

  /** The Hadoop and SQL settings conf/spark-s3a.conf gives. */
  static Map<String, String> shipped() {
    return Scripts.readSparkConf(ProjectFiles.conf("spark-s3a.conf"));
  }

  static void check(String output, Map<String, String> spark) {
    S3ACommitCheck.require(output, key -> spark.get("spark.hadoop." + key), spark::get);
  }

  @Test
  void theShippedS3aSettingsPass() {
    assertDoesNotThrow(() -> check(OUTPUT, shipped()));
  }

  @Test
  void withoutThemAnS3aOutputIsAOneLineConfigurationError() {
    ConfigException e = assertThrows(ConfigException.class, () -> check(OUTPUT, Map.of()));
    assertTrue(e.getMessage().startsWith("output s3a://lake/labels is on S3 but would be committed by copying"),
        e.getMessage());
    assertTrue(e.getMessage().contains("spark.hadoop.fs.s3a.committer.name (magic, directory or partitioned; is "
        + "unset)") && e.getMessage().contains("--s3a"), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
  }

  @Test
  void theFileCommitterIsNotEnough() {
    Map<String, String> conf = new HashMap<>(shipped());
    conf.put("spark.hadoop.fs.s3a.committer.name", "file");
    ConfigException e = assertThrows(ConfigException.class, () -> check(OUTPUT, conf));
    assertTrue(e.getMessage().contains("is file)"), e.getMessage());
  }

  @Test
  void otherOutputsNeedNothing() {
    assertDoesNotThrow(() -> check("/data/labels", Map.of()));
    assertDoesNotThrow(() -> check("hdfs://nn/labels", Map.of()));
    assertDoesNotThrow(() -> check("file:/tmp/with space", Map.of()));
  }
}
