package io.resnetspark.job;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import io.resnetspark.job.JobOptions.Mode;
import io.resnetspark.job.JobOptions.OutputFormat;
import io.resnetspark.udf.PredictionSchema;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.image.DecodeMode;
import java.io.FileNotFoundException;
import java.io.IOException;
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
  /**
   * How the row's image was decoded ({@code --decode}: {@code exact}, torchvision's tensor bit for bit, or
   * {@code reduced}). Rows of one model in one table are all decoded one way ({@link #checkDecodeMode}); rows
   * written before the column existed have it null and count as exact.
   */
  public static final String DECODE_MODE = "decode_mode";
  public static final String RUN_ID = "run_id";
  public static final String PROCESSED_AT = "processed_at";
  /**
   * How many runs have labelled this version of the file with this model: 1, plus one per run that retried a
   * transient error (see {@link #TRANSIENT_ERRORS}).
   */
  public static final String ATTEMPTS = "attempts";
  /**
   * Error codes whose cause may pass ({@link ErrorCode#isTransient()}: a read failure, a model failure): an
   * incremental run labels such a file again until {@code --max-attempts} runs have tried it. Every other error code
   * is permanent and counts as done.
   */
  public static final List<String> TRANSIENT_ERRORS = Arrays.stream(ErrorCode.values())
      .filter(ErrorCode::isTransient).map(ErrorCode::name).toList();
  /** Candidates column: whether the table already has a row for the file and model (the run replaces it). */
  public static final String KNOWN = "known";
  private static final String DONE = "done_";

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
        nullableField(DECODE_MODE, DataTypes.StringType),
        nullableField(RUN_ID, DataTypes.StringType),
        nullableField(PROCESSED_AT, DataTypes.TimestampType),
        nullableField(ATTEMPTS, DataTypes.IntegerType)));
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

  /**
   * Checks that the rows {@code table} holds of the model of digest {@code sha256} were decoded in
   * {@code decodeMode}, so that a run adding rows (append, incremental) never leaves one model's labels partly exact
   * and partly reduced without anyone asking for it. One Spark job that stops at the first such row.
   *
   * @throws ConfigException naming the table's mode and the ways out
   */
  public static void checkDecodeMode(Dataset<Row> table, String output, String sha256, String decodeMode) {
    Column mode = coalesce(col(DECODE_MODE), lit(DecodeMode.EXACT.id()));
    List<Row> other = table.where(col(MODEL_SHA256).equalTo(lit(sha256)).and(mode.notEqual(lit(decodeMode))))
        .select(mode).limit(1).collectAsList();
    if (!other.isEmpty()) {
      String theirs = other.get(0).getString(0);
      throw new ConfigException("output " + output + " holds rows of this model decoded " + theirs + " and this run "
          + "decodes " + decodeMode + "; one table does not mix the two: use --decode " + theirs
          + ", --mode overwrite, or another --output");
    }
  }

  /**
   * The current row of each file for the model of digest {@code sha256}: its version ({@code modification_time},
   * {@code length}), error code and attempts, as columns prefixed {@code done_}. A lake table holds one row per file
   * and model; in a Parquet or JSON table, where every run appends, the current row is the one with the newest
   * {@code processed_at}.
   */
  public static Dataset<Row> currentRows(Dataset<Row> table, String sha256) {
    return table.where(col(MODEL_SHA256).equalTo(lit(sha256)))
        .groupBy(col(PATH))
        .agg(max_by(struct(col(MODIFICATION_TIME), col(LENGTH), col(ERROR_CODE), col(ATTEMPTS)), col(PROCESSED_AT))
            .as("current"))
        .select(col(PATH).as(DONE + PATH),
            col("current." + MODIFICATION_TIME).as(DONE + MODIFICATION_TIME),
            col("current." + LENGTH).as(DONE + LENGTH),
            col("current." + ERROR_CODE).as(DONE + ERROR_CODE),
            // Tables written before the column existed: their rows are first attempts.
            coalesce(col("current." + ATTEMPTS), lit(1)).as(DONE + ATTEMPTS));
  }

  /**
   * The candidates still to label, with a {@link #KNOWN} column: files without a current row, files whose
   * modification time or length changed (null equals null), and files whose current row is a transient error
   * that fewer than {@code maxAttempts} runs have tried. A left join on the path, so each candidate appears at most
   * once. Sort-merge, never broadcast: Spark estimates the current rows from the table's compressed size and would
   * otherwise collect them on the driver and broadcast them (measured: 184 MiB for 10^6 rows, docs/BENCHMARKS.md).
   */
  public static Dataset<Row> toLabel(Dataset<Row> candidates, Dataset<Row> current, int maxAttempts) {
    current = current.hint("merge");
    Column done = current.col(DONE + PATH);
    Column retry = sameVersion(candidates, current).and(isTransient(current.col(DONE + ERROR_CODE)))
        .and(current.col(DONE + ATTEMPTS).lt(maxAttempts));
    return candidates.join(current, candidates.col(PATH).equalTo(done), "left")
        .where(done.isNull().or(not(sameVersion(candidates, current))).or(retry))
        .select(candidates.col("*"), done.isNotNull().as(KNOWN));
  }

  /**
   * {@code rows} (of {@link #SCHEMA}, this run's attempt in {@link #ATTEMPTS}) with the attempts of earlier runs
   * added when they failed transiently on the same version of the file. For tables where every run appends; lake
   * tables do the same inside their MERGE.
   */
  public static Dataset<Row> withEarlierAttempts(Dataset<Row> rows, Dataset<Row> current) {
    // Fresh column identities: the rows were selected through a join with the same current rows.
    Dataset<Row> earlierRows = current.toDF(current.columns());
    Column earlier = when(sameVersion(rows, earlierRows).and(isTransient(earlierRows.col(DONE + ERROR_CODE))),
        earlierRows.col(DONE + ATTEMPTS)).otherwise(lit(0));
    Column[] columns = Arrays.stream(SCHEMA.fieldNames())
        .map(name -> name.equals(ATTEMPTS) ? rows.col(ATTEMPTS).plus(earlier).as(ATTEMPTS) : rows.col(name))
        .toArray(Column[]::new);
    return rows.join(earlierRows, rows.col(PATH).equalTo(earlierRows.col(DONE + PATH)), "left").select(columns);
  }

  private static Column sameVersion(Dataset<Row> rows, Dataset<Row> current) {
    return rows.col(MODIFICATION_TIME).eqNullSafe(current.col(DONE + MODIFICATION_TIME))
        .and(rows.col(LENGTH).eqNullSafe(current.col(DONE + LENGTH)));
  }

  static Column isTransient(Column errorCode) {
    return coalesce(errorCode.isin(TRANSIENT_ERRORS.toArray()), lit(false));
  }

  /** Files of the run: one per row of about {@code rowBytes} bytes, at most {@code targetFileSize} each. */
  public static int files(long rows, long rowBytes, long targetFileSize) {
    long perFile = Math.max(1, targetFileSize / Math.max(1, rowBytes));
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (rows + perFile - 1) / perFile));
  }

  /**
   * About how many bytes a row takes in a compressed file: the fixed columns, {@code topK} classes and, with
   * embeddings, {@code embeddingSize} floats (which barely compress).
   */
  public static long rowBytes(int topK, boolean embeddings, int embeddingSize) {
    return 200 + 40L * topK + (embeddings ? 4L * embeddingSize : 0);
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

  /** Writes {@code rows} (of {@link #SCHEMA}) with Spark's commit protocol, one file per partition. */
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
