package io.resnetspark.job.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.resnetspark.job.ConfigException;
import io.resnetspark.job.JobOptions;
import io.resnetspark.job.JobOptions.Mode;
import io.resnetspark.job.JobOptions.OutputFormat;
import io.resnetspark.job.Messages;
import io.resnetspark.job.OutputTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels as a lake table (Iceberg or Delta): one row per file and model, keyed on {@code (path, model_sha256)},
 * and one commit per run. The two formats share everything but naming, creating and finding their commits, so the
 * SQL a run commits is the same for both: {@code INSERT INTO} ({@code create}, {@code append}),
 * {@code INSERT OVERWRITE} ({@code overwrite}) and a {@code MERGE INTO} ({@code incremental}). A commit that loses
 * to a concurrent writer is planned again against the new snapshot, a bounded number of times; the MERGE is
 * idempotent, so a retried run can neither duplicate nor lose a row.
 */
public abstract class LakeTable {
  private static final Logger LOG = LoggerFactory.getLogger(LakeTable.class);
  public static final String EXTENSIONS = "spark.sql.extensions";
  /** Commits of one run, the first included, before it gives up to concurrent writers. */
  static final int COMMIT_ATTEMPTS = 5;
  /** The source column of a MERGE telling a labelled row from a row to delete. */
  static final String ACTION = "resnet_spark_action";
  static final String UPSERT = "upsert";
  static final String DELETE = "delete";

  protected final SparkSession spark;

  LakeTable(SparkSession spark) {
    this.spark = spark;
  }

  /** A run's commit: the snapshot (Iceberg) or version (Delta), when, and a query that reads the table as of it. */
  public record Commit(String snapshot, String committedAt, String query) {
  }

  /**
   * The settings a session for {@code format} needs that must be given before it is created (SQL extensions and
   * Delta's session catalog), merged with what was submitted.
   */
  public static Map<String, String> sessionSettings(OutputFormat format, SparkConf submitted) {
    Map<String, String> settings = new LinkedHashMap<>();
    if (!format.isLake()) {
      return settings;
    }
    String extension = extension(format);
    String given = submitted.get(EXTENSIONS, "");
    if (!List.of(given.split(",")).contains(extension)) {
      settings.put(EXTENSIONS, given.isBlank() ? extension : given + "," + extension);
    }
    if (format == OutputFormat.DELTA && !submitted.contains(DeltaLakeTable.SESSION_CATALOG)) {
      settings.put(DeltaLakeTable.SESSION_CATALOG, DeltaLakeTable.DELTA_CATALOG);
    }
    return settings;
  }

  private static String extension(OutputFormat format) {
    return format == OutputFormat.ICEBERG ? IcebergLakeTable.EXTENSION : DeltaLakeTable.EXTENSION;
  }

  /**
   * The table {@code options} name, in a session that can write it (the job's own, or an application's session
   * that was created with the format's extension).
   *
   * @throws ConfigException if the session lacks the format's SQL extension, or the name cannot be used
   */
  public static LakeTable open(SparkSession spark, JobOptions options) {
    OutputFormat format = options.outputFormat();
    String extensions = spark.sparkContext().getConf().get(EXTENSIONS, "");
    if (!List.of(extensions.split(",")).contains(extension(format))) {
      throw new ConfigException("--output-format " + format + " needs " + EXTENSIONS + "=" + extension(format)
          + ", which can only be set before the Spark session is created; the running session has '"
          + extensions + "': add it to the application's Spark configuration");
    }
    return format == OutputFormat.ICEBERG
        ? IcebergLakeTable.open(spark, options.output(), options.warehouse())
        : DeltaLakeTable.open(spark, options.output());
  }

  /** The table as users name it: the Iceberg table name, or the Delta table's path. */
  public abstract String name();

  public abstract OutputFormat format();

  /** The name in SQL statements. */
  abstract String sqlName();

  public abstract boolean exists();

  /** The directory the table's files are under, where the run report goes. Only for a table that exists. */
  public abstract String location();

  /**
   * Creates the table with the labels schema and its layout and file-size properties.
   *
   * @param ifNotExists false: fail if the table exists
   */
  abstract void create(long targetFileSize, boolean ifNotExists);

  /** Runs {@code sql}, marking the commit it makes as {@code runId}'s. */
  abstract void commitAs(String runId, String sql);

  /** The commit {@code runId} made, or null if it made none. */
  abstract Commit committed(String runId);

  /** The current snapshot. */
  public Dataset<Row> read() {
    return spark.table(sqlName());
  }

  /**
   * Checks that {@code mode} may write to the table as it is now.
   *
   * @throws ConfigException saying what is there and which mode to use instead
   */
  public void checkWritable(Mode mode) {
    if (!exists()) {
      return;
    }
    if (mode == Mode.CREATE) {
      throw new ConfigException("output " + name() + " already exists; use --mode overwrite to replace it, "
          + "--mode append or incremental to add to it, or another --output");
    }
    StructType schema = read().schema();
    List<String> missing = new ArrayList<>();
    for (StructField field : OutputTable.SCHEMA.fields()) {
      boolean present = Arrays.stream(schema.fields()).anyMatch(f -> f.name().equals(field.name())
          && f.dataType().sameType(field.dataType()));
      if (!present) {
        missing.add(field.name() + " " + field.dataType().simpleString());
      }
    }
    if (!missing.isEmpty()) {
      throw new ConfigException("output " + name() + " is a " + format() + " table without the columns "
          + String.join(", ", missing) + ", so this job did not write it; choose another --output");
    }
  }

  /**
   * Commits a run: {@code rows} (of {@link OutputTable#SCHEMA}, computed once: the statement may read them more
   * than once) and, for {@code incremental}, the deletion of {@code deletedPaths} (this model's rows of files no
   * longer listed; may be null). Creates the table first if it does not exist.
   *
   * @return the commit, or null if there was nothing to commit
   * @throws IllegalStateException if concurrent writers won every one of {@link #COMMIT_ATTEMPTS} attempts
   */
  public Commit commit(Dataset<Row> rows, Dataset<Row> deletedPaths, Mode mode, String sha256, String runId,
                       long targetFileSize) {
    String view = "resnet_spark_rows_" + runId.replaceAll("[^A-Za-z0-9]", "_");
    Dataset<Row> source = mode == Mode.INCREMENTAL ? mergeSource(rows, deletedPaths, sha256) : rows;
    source.createOrReplaceTempView(view);
    try {
      String sql = switch (mode) {
        case CREATE, APPEND -> "INSERT INTO " + sqlName() + " SELECT " + columns("") + " FROM " + view;
        case OVERWRITE -> "INSERT OVERWRITE " + sqlName() + " SELECT " + columns("") + " FROM " + view;
        case INCREMENTAL -> merge(view);
      };
      if (mode == Mode.CREATE) {
        try {
          create(targetFileSize, false);
        } catch (RuntimeException e) {
          throw new ConfigException("cannot create " + name() + " (did another run create it meanwhile? then use "
              + "--mode incremental or append): " + Messages.firstLine(e), e);
        }
      }
      for (int attempt = 1; ; attempt++) {
        try {
          if (mode != Mode.CREATE) {
            create(targetFileSize, true);
          }
          commitAs(runId, sql);
          return committed(runId);
        } catch (RuntimeException e) {
          if (!isConflict(e)) {
            throw e;
          }
          if (attempt == COMMIT_ATTEMPTS) {
            throw new IllegalStateException("table " + name() + " changed under this run " + attempt + " times "
                + "(concurrent writers); nothing of this run was committed, run it again: " + Messages.firstLine(e), e);
          }
          LOG.warn("table {}: commit {} of {} lost to a concurrent writer ({}); planning it again", name(), attempt,
              COMMIT_ATTEMPTS, Messages.firstLine(e));
          sleep(attempt);
        }
      }
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /** The labelled rows to upsert and, marked for deletion, this model's rows of files no longer listed. */
  static Dataset<Row> mergeSource(Dataset<Row> rows, Dataset<Row> deletedPaths, String sha256) {
    Dataset<Row> upserts = rows.withColumn(ACTION, lit(UPSERT));
    if (deletedPaths == null) {
      return upserts;
    }
    Column[] deletes = Arrays.stream(OutputTable.SCHEMA.fields())
        .map(f -> f.name().equals(OutputTable.PATH) ? col(OutputTable.PATH)
            : f.name().equals(OutputTable.MODEL_SHA256) ? lit(sha256).as(f.name())
            : lit(null).cast(f.dataType()).as(f.name()))
        .toArray(Column[]::new);
    return upserts.unionByName(deletedPaths.select(deletes).withColumn(ACTION, lit(DELETE)));
  }

  /**
   * The MERGE of a run: a row per (path, model) is replaced by the run's, inserted if new, or deleted. The row's
   * {@code attempts} carries over when the same version of the file failed transiently before.
   */
  String merge(String view) {
    String transientCodes = OutputTable.TRANSIENT_ERRORS.stream().map(c -> "'" + c + "'")
        .collect(Collectors.joining(", "));
    String updates = Arrays.stream(OutputTable.SCHEMA.fieldNames())
        .map(c -> c.equals(OutputTable.ATTEMPTS)
            ? "t." + q(c) + " = s." + q(c) + " + CASE WHEN t." + q(OutputTable.MODIFICATION_TIME) + " <=> s."
                + q(OutputTable.MODIFICATION_TIME) + " AND t." + q(OutputTable.LENGTH) + " <=> s."
                + q(OutputTable.LENGTH) + " AND t." + q(OutputTable.ERROR_CODE) + " IN (" + transientCodes
                + ") THEN coalesce(t." + q(c) + ", 1) ELSE 0 END"
            : "t." + q(c) + " = s." + q(c))
        .collect(Collectors.joining(", "));
    return "MERGE INTO " + sqlName() + " t USING " + view + " s"
        + " ON t." + q(OutputTable.PATH) + " = s." + q(OutputTable.PATH)
        + " AND t." + q(OutputTable.MODEL_SHA256) + " = s." + q(OutputTable.MODEL_SHA256)
        + " WHEN MATCHED AND s." + ACTION + " = '" + DELETE + "' THEN DELETE"
        + " WHEN MATCHED THEN UPDATE SET " + updates
        + " WHEN NOT MATCHED AND s." + ACTION + " = '" + UPSERT + "' THEN INSERT (" + columns("") + ") VALUES ("
        + columns("s.") + ")";
  }

  static String columns(String prefix) {
    return Arrays.stream(OutputTable.SCHEMA.fieldNames()).map(c -> prefix + q(c)).collect(Collectors.joining(", "));
  }

  /** The labels schema as the column list of a CREATE TABLE. */
  static String schemaDdl() {
    return OutputTable.SCHEMA.toDDL();
  }

  static String q(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A commit that lost to another writer: Iceberg's validation or commit failure, Delta's concurrent change. */
  static boolean isConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.iceberg.exceptions.CommitFailedException
          || t instanceof org.apache.iceberg.exceptions.ValidationException
          || t instanceof org.apache.iceberg.exceptions.AlreadyExistsException
          || t instanceof ConcurrentModificationException
          || t instanceof java.nio.file.FileAlreadyExistsException
          || t instanceof org.apache.hadoop.fs.FileAlreadyExistsException) {
        return true;
      }
    }
    return false;
  }

  private static void sleep(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(500, 1500) * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to commit again", e);
    }
  }
}
