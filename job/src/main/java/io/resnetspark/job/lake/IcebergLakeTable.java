package io.resnetspark.job.lake;

import io.resnetspark.job.ConfigException;
import io.resnetspark.job.JobOptions.OutputFormat;
import io.resnetspark.job.Messages;
import io.resnetspark.job.OutputTable;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * An Iceberg table of a Spark catalog: the job's own Hadoop catalog {@value #CATALOG} over {@code --warehouse}, or
 * any catalog the Spark configuration defines (REST, Glue, Hive: see {@code conf/iceberg-catalogs.conf}).
 *
 * <p>Layout: unpartitioned, written sorted by {@code path}. A run's MERGE matches on the path, and most runs touch
 * few files; with files sorted by path their path bounds are narrow, so the MERGE rewrites only the files whose range
 * holds a changed path, and reads by path or directory prefix skip the rest. Partitioning by model or by time would
 * not help: one model labels a table, and a changed file keeps its row's partition. The sort order also makes writes
 * range-distributed, which Spark coalesces to the target file size: a nightly run over a few files writes one file.
 */
final class IcebergLakeTable extends LakeTable {
  static final String EXTENSION = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions";
  /** The catalog {@code --warehouse} defines. */
  static final String CATALOG = "resnet_lake";
  static final String CATALOG_KEY = "spark.sql.catalog." + CATALOG;
  /** The snapshot summary property naming the run that committed the snapshot. */
  static final String RUN_ID_PROPERTY = "resnet-spark.run-id";

  private final String name;

  private IcebergLakeTable(SparkSession spark, String name) {
    super(spark);
    this.name = name;
  }

  /**
   * @param output {@code db.table} with {@code warehouse}, else a name in a catalog of the session
   * @param warehouse the Hadoop catalog's directory or s3a prefix, or null
   */
  static IcebergLakeTable open(SparkSession spark, String output, String warehouse) {
    if (warehouse == null) {
      return new IcebergLakeTable(spark, output);
    }
    Map<String, String> catalog = Map.of(
        CATALOG_KEY, "org.apache.iceberg.spark.SparkCatalog",
        CATALOG_KEY + ".type", "hadoop",
        CATALOG_KEY + ".warehouse", warehouse,
        // A cached table would hide other writers' commits from a session that runs the job repeatedly.
        CATALOG_KEY + ".cache-enabled", "false");
    // Catalog settings are read when the catalog is first used, and the session keeps the catalog it made.
    String configured = spark.conf().getOption(CATALOG_KEY + ".warehouse").getOrElse(() -> null);
    if (configured != null && !configured.equals(warehouse)) {
      throw new ConfigException("this Spark session's catalog " + CATALOG + " already has the warehouse "
          + configured + "; one session writes to one --warehouse");
    }
    catalog.forEach((key, value) -> spark.conf().set(key, value));
    return new IcebergLakeTable(spark, CATALOG + "." + output);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public OutputFormat format() {
    return OutputFormat.ICEBERG;
  }

  @Override
  String sqlName() {
    return name;
  }

  @Override
  public boolean exists() {
    try {
      return spark.catalog().tableExists(name);
    } catch (RuntimeException e) {
      throw new ConfigException("cannot look up " + name + ": " + Messages.firstLine(e), e);
    }
  }

  @Override
  public String location() {
    for (Row row : spark.sql("DESCRIBE TABLE EXTENDED " + name).collectAsList()) {
      if ("Location".equals(row.getString(0))) {
        return row.getString(1);
      }
    }
    throw new IllegalStateException("DESCRIBE TABLE EXTENDED " + name + " gives no Location");
  }

  @Override
  void create(long targetFileSize, boolean ifNotExists) {
    String[] parts = name.split("\\.");
    if (parts.length == 3 && parts[0].equals(CATALOG)) {
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + parts[0] + "." + parts[1]);
    }
    if (ifNotExists && exists()) {
      return;
    }
    spark.sql("CREATE TABLE " + (ifNotExists ? "IF NOT EXISTS " : "") + name + " (" + schemaDdl() + ") USING iceberg"
        + " TBLPROPERTIES ('format-version' = '2'"
        + ", 'write.target-file-size-bytes' = '" + targetFileSize + "'"
        + ", 'write.spark.advisory-partition-size-bytes' = '" + targetFileSize + "')");
    spark.sql("ALTER TABLE " + name + " WRITE ORDERED BY " + q(OutputTable.PATH));
  }

  @Override
  void commitAs(String runId, String sql) {
    CommitMetadata.withCommitProperties(Map.of(RUN_ID_PROPERTY, runId), () -> spark.sql(sql),
        RuntimeException.class);
  }

  @Override
  Commit committed(String runId) {
    List<Row> snapshots = spark.sql("SELECT snapshot_id, CAST(committed_at AS STRING) FROM " + name + ".snapshots"
        + " WHERE summary['" + RUN_ID_PROPERTY + "'] = " + literal(runId) + " ORDER BY committed_at DESC LIMIT 1")
        .collectAsList();
    if (snapshots.isEmpty()) {
      return null;
    }
    long snapshot = snapshots.get(0).getLong(0);
    return new Commit(Long.toString(snapshot), snapshots.get(0).getString(1),
        "SELECT * FROM " + name + " VERSION AS OF " + snapshot);
  }
}
