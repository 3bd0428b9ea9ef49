package io.resnetspark.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.Path;

/**
 * An {@code s3a://} output must be written through an S3A committer. Without one, Spark's file committer "renames"
 * by copying: slow, and a run that dies while committing leaves a partial table that readers take as complete. So
 * an s3a output without the settings of conf/spark-s3a.conf is a configuration error on the driver, not a silent
 * fall-back.
 */
final class S3ACommitCheck {
  static final String COMMITTER_NAME = "fs.s3a.committer.name";
  static final String FACTORY = "mapreduce.outputcommitter.factory.scheme.s3a";
  static final String FACTORY_CLASS = "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory";
  static final String PROTOCOL = "spark.sql.sources.commitProtocolClass";
  static final String PROTOCOL_CLASS = "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol";
  private static final Set<String> COMMITTERS = Set.of("magic", "directory", "partitioned");

  private S3ACommitCheck() {
  }

  /**
   * @param hadoop the Hadoop configuration's values ({@code spark.hadoop.*} without the prefix)
   * @param sql the SQL configuration's values
   * @throws ConfigException naming the missing settings, if {@code output} is on s3a and lacks them
   */
  static void require(String output, UnaryOperator<String> hadoop, UnaryOperator<String> sql) {
    String scheme = new Path(output).toUri().getScheme();
    if (scheme == null || !scheme.toLowerCase(Locale.ROOT).equals("s3a")) {
      return;
    }
    List<String> missing = new ArrayList<>();
    String committer = hadoop.apply(COMMITTER_NAME);
    if (committer == null || !COMMITTERS.contains(committer.strip().toLowerCase(Locale.ROOT))) {
      missing.add("spark.hadoop." + COMMITTER_NAME + " (magic, directory or partitioned; is "
          + (committer == null ? "unset" : committer) + ")");
    }
    if (!FACTORY_CLASS.equals(strip(hadoop.apply(FACTORY)))) {
      missing.add("spark.hadoop." + FACTORY + " " + FACTORY_CLASS);
    }
    if (!PROTOCOL_CLASS.equals(strip(sql.apply(PROTOCOL)))) {
      missing.add(PROTOCOL + " " + PROTOCOL_CLASS);
    }
    if (!missing.isEmpty()) {
      throw new ConfigException("output " + output + " is on S3 but would be committed by copying, which is slow "
          + "and not atomic: set " + String.join(", ", missing) + " (conf/spark-s3a.conf; scripts/run-local.sh "
          + "and scripts/submit.sh add it with --s3a)");
    }
  }

  private static String strip(String value) {
    return value == null ? null : value.strip();
  }
}
