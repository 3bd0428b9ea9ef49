package io.resnetspark.job.lake;

import io.resnetspark.job.ConfigException;
import io.resnetspark.job.JobOptions.OutputFormat;
import io.resnetspark.job.Messages;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Delta table at a path ({@code --output}, local, HDFS or {@code s3a://}), named in SQL as {@code delta.`path`}.
 *
 * <p>Layout: unpartitioned (the MERGE and typical reads key on the path, which no partition column would help;
 * Delta's per-file path statistics let the MERGE skip files) with optimized writes, which shuffle a commit's rows
 * into files of Delta's bin size instead of one file per task.
 */
final class DeltaLakeTable extends LakeTable {
  static final String EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  static final String SESSION_CATALOG = "spark.sql.catalog.spark_catalog";
  static final String DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
  /** Delta records this session setting in the commit it makes: how a run finds its version in the history. */
  static final String USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata";

  private final String path;

  private DeltaLakeTable(SparkSession spark, String path) {
    super(spark);
    this.path = path;
  }

  static DeltaLakeTable open(SparkSession spark, String output) {
    DeltaLakeTable table = new DeltaLakeTable(spark, output);
    table.checkNotForeign();
    return table;
  }

  /** Refuses a directory that holds something other than a Delta table (names starting with _ or . aside). */
  private void checkNotForeign() {
    Path dir = new Path(path);
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] children;
      try {
        children = fs.listStatus(dir);
      } catch (FileNotFoundException e) {
        return;
      }
      boolean delta = false;
      String other = null;
      for (FileStatus child : children) {
        String name = child.getPath().getName();
        if (name.equals("_delta_log")) {
          delta = true;
        } else if (!name.startsWith("_") && !name.startsWith(".") && other == null) {
          other = name;
        }
      }
      if (!delta && other != null) {
        throw new ConfigException("output " + path + " is not a delta table (it holds '" + other + "'); choose "
            + "another --output");
      }
    } catch (IOException e) {
      throw new ConfigException("cannot inspect output " + path + ": " + Messages.firstLine(e), e);
    }
  }

  @Override
  public String name() {
    return path;
  }

  @Override
  public OutputFormat format() {
    return OutputFormat.DELTA;
  }

  @Override
  String sqlName() {
    return "delta." + q(path);
  }

  @Override
  public boolean exists() {
    return io.delta.tables.DeltaTable.isDeltaTable(spark, path);
  }

  @Override
  public String location() {
    return path;
  }

  @Override
  void create(long targetFileSize, boolean ifNotExists) {
    if (ifNotExists && exists()) {
      return;
    }
    spark.sql("CREATE TABLE " + (ifNotExists ? "IF NOT EXISTS " : "") + sqlName() + " (" + schemaDdl()
        + ") USING delta TBLPROPERTIES ('delta.autoOptimize.optimizeWrite' = 'true')");
  }

  @Override
  void commitAs(String runId, String sql) {
    spark.conf().set(USER_METADATA, runId);
    try {
      spark.sql(sql);
    } finally {
      spark.conf().unset(USER_METADATA);
    }
  }

  @Override
  Commit committed(String runId) {
    List<Row> versions = spark.sql("DESCRIBE HISTORY " + sqlName()).where("userMetadata = " + literal(runId))
        .where("operation <> 'CREATE TABLE'")
        .selectExpr("version", "CAST(timestamp AS STRING)").orderBy(org.apache.spark.sql.functions.desc("version"))
        .limit(1).collectAsList();
    if (versions.isEmpty()) {
      return null;
    }
    long version = versions.get(0).getLong(0);
    return new Commit(Long.toString(version), versions.get(0).getString(1),
        "SELECT * FROM " + sqlName() + " VERSION AS OF " + version);
  }
}
