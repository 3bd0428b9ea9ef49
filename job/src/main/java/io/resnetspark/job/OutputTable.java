package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.resnetspark.job.JobOptions.Mode;
import io.resnetspark.job.JobOptions.OutputFormat;
import java.io.FileNotFoundException;
import java.io.IOException;
import io.resnetspark.udf.PredictionSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The labels table: its schema, what an existing output at {@code --output} is, which of its rows count as done
 * for an incremental run, and how a run's rows are written (through Spark's commit protocol, so a failed run adds
 * nothing that readers see).
 */
public final class OutputTable {
  public static final String PATH = "path";
  public static final String MODIFICATION_TIME = "modification_time";
  public static final String LENGTH = "length";
  public static final String LABEL = PredictionSchema.LABEL;
  public static final String INDEX = PredictionSchema.INDEX;
  public static final String PROBABILITY = PredictionSchema.PROBABILITY;
  public static final String TOP_K = PredictionSchema.TOP_K;
  public static final String EMBEDDING = PredictionSchema.EMBEDDING;
  public static final String ERROR_CODE = PredictionSchema.ERROR_CODE;
  public static final String ERROR_MESSAGE = PredictionSchema.ERROR_MESSAGE;
  public static final String MODEL_ARCH = "model_arch";
  public static final String MODEL_SHA256 = "model_sha256";
  public static final String RUN_ID = "run_id";
  public static final String PROCESSED_AT = "processed_at";

  /**
   * One row per input file: the file, the udf's {@link PredictionSchema} fields as columns of their own, and the
   * run. {@code embedding} is always a column (null unless {@code --embeddings}) so runs with and without it append
   * to one table. Every column, and every level inside one, is nullable, as Parquet and JSON read them back.
   */
  public static final StructType SCHEMA = schema();

  private static StructType schema() {
    List<StructField> fields = new ArrayList<>(List.of(
        nullableField(PATH, DataTypes.StringType),
        nullableField(MODIFICATION_TIME, DataTypes.TimestampType),
        nullableField(LENGTH, DataTypes.LongType)));
    for (StructField prediction : PredictionSchema.TYPE.fields()) {
      fields.add(nullableField(prediction.name(), prediction.dataType()));
    }
    fields.addAll(List.of(
        nullableField(MODEL_ARCH, DataTypes.StringType),
        nullableField(MODEL_SHA256, DataTypes.StringType),
        nullableField(RUN_ID, DataTypes.StringType),
        nullableField(PROCESSED_AT, DataTypes.TimestampType)));
    return new StructType(fields.toArray(StructField[]::new));
  }

  private static StructField nullableField(String name, DataType type) {
    return DataTypes.createStructField(name, nullable(type), true);
  }

  /** {@code type} with every struct field and array element nullable. */
  static DataType nullable(DataType type) {
    if (type instanceof StructType struct) {
      return new StructType(Arrays.stream(struct.fields()).map(f -> nullableField(f.name(), f.dataType()))
          .toArray(StructField[]::new));
    }
    if (type instanceof ArrayType array) {
      return DataTypes.createArrayType(nullable(array.elementType()), true);
    }
    return type;
  }

  /** The columns an incremental run keys on; an existing output without them is not a labels table. */
  static final List<String> KEY_COLUMNS = List.of(PATH, MODIFICATION_TIME, MODEL_SHA256);

  /** What is at the output path before the run. */
  public enum State {
    /** Nothing. */
    ABSENT,
    /** A directory without data files (e.g. only {@code _temporary} from a killed run, or only a report). */
    EMPTY,
    /** A directory of data files of the chosen format. */
    TABLE,
    /** A file, or a directory holding something other than data files of the chosen format. */
    FOREIGN
  }

  /** The inspected output: its state and, for {@link State#FOREIGN}, an example of why. */
  public record Existing(State state, String reason) {
  }

  private final String location;
  private final OutputFormat format;

  public OutputTable(String location, OutputFormat format) {
    this.location = location;
    this.format = format;
  }

  public String location() {
    return location;
  }

  public OutputFormat format() {
    return format;
  }

  /** Looks at the output path with the file system only (no Spark job). */
  public Existing inspect(Configuration hadoopConf) {
    Path dir = new Path(location);
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf);
      FileStatus status;
      try {
        status = fs.getFileStatus(dir);
      } catch (FileNotFoundException e) {
        return new Existing(State.ABSENT, null);
      }
      if (!status.isDirectory()) {
        return new Existing(State.FOREIGN, "it is a file");
      }
      List<String> data = new ArrayList<>();
      for (FileStatus child : fs.listStatus(dir)) {
        String name = child.getPath().getName();
        if (name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        if (child.isDirectory()) {
          return new Existing(State.FOREIGN, "it holds the directory '" + name + "'");
        }
        data.add(name);
      }
      if (data.isEmpty()) {
        return new Existing(State.EMPTY, null);
      }
      for (String name : data) {
        if (!isDataFile(name, format)) {
          Optional<OutputFormat> other = formatOf(name);
          return new Existing(State.FOREIGN, other.isPresent()
              ? "it is a " + other.get() + " table, not " + format + " (see --output-format)"
              : "it holds '" + name + "', which is not a " + format + " file of this job");
        }
      }
      return new Existing(State.TABLE, null);
    } catch (IOException e) {
      throw new ConfigException("cannot inspect output " + location + ": " + StorageErrors.describe(e), e);
    }
  }

  /**
   * Checks that {@code mode} may write to what is at the output now.
   *
   * @throws ConfigException saying what is there and which mode or path to use instead
   */
  public void checkWritable(Mode mode, Existing existing, SparkSession spark) {
    switch (existing.state()) {
      case ABSENT, EMPTY -> {
      }
      case FOREIGN -> throw new ConfigException("output " + location + " is not a " + format + " labels table ("
          + existing.reason() + "); choose another --output" + (mode == Mode.OVERWRITE
          ? ": overwrite only replaces a table this job wrote" : ""));
      case TABLE -> {
        if (mode == Mode.CREATE) {
          throw new ConfigException("output " + location + " already exists; use --mode overwrite to replace it, "
              + "--mode append or incremental to add to it, or another --output");
        }
        if (mode != Mode.OVERWRITE) {
          checkColumns(spark);
        }
      }
    }
  }

  private void checkColumns(SparkSession spark) {
    StructType schema;
    try {
      schema = spark.read().format(format.toString()).load(location).schema();
    } catch (RuntimeException e) {
      throw new ConfigException("cannot read the existing output " + location + ": " + Messages.firstLine(e), e);
    }
    List<String> missing = new ArrayList<>();
    for (String column : KEY_COLUMNS) {
      Optional<StructField> field = find(schema, column);
      DataType expected = SCHEMA.apply(column).dataType();
      // JSON read without a schema infers timestamps as strings; the values still parse as timestamps.
      boolean compatible = field.isPresent() && (field.get().dataType().equals(expected)
          || format == OutputFormat.JSON && field.get().dataType().equals(DataTypes.StringType));
      if (!compatible) {
        missing.add(column + " " + expected.simpleString());
      }
    }
    if (!missing.isEmpty()) {
      throw new ConfigException("output " + location + " is a " + format + " table without the columns "
          + String.join(", ", missing) + ", so this job did not write it; choose another --output");
    }
  }

  /** The whole table, read with {@link #SCHEMA} (no inference, so no Spark job to find the schema). */
  public Dataset<Row> read(SparkSession spark) {
    return spark.read().schema(SCHEMA).format(format.toString()).load(location);
  }

  /** The (path, modification time) pairs already labelled with the model of digest {@code sha256}. */
  public Dataset<Row> labelledKeys(SparkSession spark, String sha256) {
    return read(spark)
        .where(col(MODEL_SHA256).equalTo(lit(sha256)))
        .select(col(PATH), col(MODIFICATION_TIME))
        .distinct();
  }

  /**
   * The candidates the output lacks: same path and same modification time (both null counts as the same) for the
   * same model. Left anti join, so each candidate appears at most once, whatever duplicates the table holds.
   * Sort-merge, never broadcast: Spark estimates the keys from the table's compressed size and would otherwise
   * collect them on the driver and broadcast them (measured: 184 MiB of keys for 10^6 rows, see BENCHMARKS.md).
   */
  public static Dataset<Row> notYetLabelled(Dataset<Row> candidates, Dataset<Row> labelledKeys) {
    Dataset<Row> done = labelledKeys.toDF("done_path", "done_modification_time").hint("merge");
    Column sameFile = candidates.col(PATH).equalTo(done.col("done_path"))
        .and(candidates.col(MODIFICATION_TIME).eqNullSafe(done.col("done_modification_time")));
    return candidates.join(done, sameFile, "left_anti");
  }

  /**
   * Deletes what an interrupted run left in {@code _temporary}. Hadoop's FileOutputCommitter keeps committed task
   * files there until job commit, under a path that is the same for every run; the next run's job commit would
   * move a killed run's files into the table along with its own. Only one run may write an output at a time.
   *
   * @return whether there was something to delete
   */
  public boolean discardUncommitted(Configuration hadoopConf) throws IOException {
    Path temporary = new Path(location, "_temporary");
    FileSystem fs = temporary.getFileSystem(hadoopConf);
    return fs.exists(temporary) && fs.delete(temporary, true);
  }

  /** Writes {@code rows} (of {@link #SCHEMA}) with Spark's commit protocol. */
  public void write(Dataset<Row> rows, Mode mode) {
    SaveMode saveMode = switch (mode) {
      case OVERWRITE -> SaveMode.Overwrite;
      case APPEND, INCREMENTAL -> SaveMode.Append;
      // An EMPTY directory (only a killed run's _temporary, say) is a valid place for a new table.
      case CREATE -> SaveMode.Append;
    };
    rows.write().mode(saveMode).format(format.toString()).save(location);
  }

  /** Whether {@code name} is a part file Spark writes for {@code format} (any compression codec). */
  static boolean isDataFile(String name, OutputFormat format) {
    return formatOf(name).filter(f -> f == format).isPresent();
  }

  private static Optional<OutputFormat> formatOf(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet")) {
      return Optional.of(OutputFormat.PARQUET);
    }
    if (lower.matches(".*\\.json(\\.[a-z0-9]+)?")) {
      return Optional.of(OutputFormat.JSON);
    }
    return Optional.empty();
  }

  private static Optional<StructField> find(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

}
