package io.resnetspark.job;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.cli.ModelOptions;
import io.resnetspark.model.cli.ResNetSparkVersion;
import io.resnetspark.model.cli.WeightsArgument;
import io.resnetspark.udf.image.DecodeMode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.spark.network.util.JavaUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The job's command line. Every option can also come from a {@code --config} file (key = the long option name
 * without dashes); the command line wins. {@link #validate()} checks what picocli's types cannot.
 */
@Command(name = "label-images", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = ResNetSparkVersion.class,
    description = {
        "Labels every image under --input with a ResNet SavedModel and writes one row per file to --output.",
        "Options may also come from --config FILE (key = option name without dashes); the command line wins."},
    footer = {"",
        "Exit codes: 0 done; 1 configuration error (model, input or output not usable, found before any work);",
        "  2 bad command line; 3 rows written but more errors than --max-error-rate; 4 the Spark job failed.",
        "A run report is written next to the output: _run_report.json and the chart _run_report.png."})
public final class JobOptions {
  static final String DEFAULT_EXTENSIONS = "jpg,jpeg,png,gif,bmp,webp,tif,tiff";
  static final String DEFAULT_BYTES_PER_PARTITION = "128m";
  static final String DEFAULT_READS_IN_FLIGHT = "32";
  static final String DEFAULT_READ_BYTES_IN_FLIGHT = "256m";
  /**
   * Each read in flight is a thread and, on S3, a connection; S3A's pool (fs.s3a.connection.maximum, 500 by
   * default) serves every task of an executor.
   */
  static final int MAX_READS_IN_FLIGHT = 256;
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]{1,16}");
  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*){1,2}");
  static final String DEFAULT_TARGET_FILE_SIZE = "128m";

  /** Where the images come from. */
  public enum InputFormat {
    /** Files, read as bytes and decoded by the model's own decoder (JPEG, PNG, GIF, BMP, WebP, TIFF). */
    BINARYFILE("binaryFile"),
    /** Files decoded by Spark's image data source (its decoder, BGR structs). */
    IMAGE("image"),
    /** A Parquet dataset with a binary column and a path column. */
    PARQUET("parquet"),
    /** A table of the session catalog with a binary column and a path column. */
    TABLE("table"),
    /** The objects an S3 Inventory report or a table of paths names, read as bytes (see {@link Manifest}). */
    MANIFEST("manifest");

    final String cliName;

    InputFormat(String cliName) {
      this.cliName = cliName;
    }

    public boolean isFiles() {
      return this == BINARYFILE || this == IMAGE;
    }

    @Override
    public String toString() {
      return cliName;
    }
  }

  /** How the output is written. */
  public enum Mode {
    /** A new output; an existing non-empty one is a configuration error. */
    CREATE,
    /** Replace the output. */
    OVERWRITE,
    /** Add every input's row to the output (created when absent). */
    APPEND,
    /** Add rows only for inputs the output lacks for this model and modification time (created when absent). */
    INCREMENTAL;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The output table's format: files in a directory (parquet, json) or a lake table (iceberg, delta). */
  public enum OutputFormat {
    PARQUET, JSON, ICEBERG, DELTA;

    /** A table format with snapshots and an atomic MERGE, rather than a directory of part files. */
    public boolean isLake() {
      return this == ICEBERG || this == DELTA;
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @CommandLine.Spec
  CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", order = 0,
      description = "Options for repeatable runs, e.g. conf/job-defaults.properties (key = value, key = option "
          + "name without dashes). The command line wins over the file.")
  Path config;

  @Option(names = "--input", paramLabel = "PATH", order = 1,
      description = "Directory, file or glob (file:, hdfs:, s3a: or a local path), searched recursively; repeat "
          + "for several. With --input-format table: the table name. Required.")
  List<String> inputs;

  @Option(names = "--extensions", paramLabel = "LIST", split = ",", order = 2, defaultValue = DEFAULT_EXTENSIONS,
      description = "File name extensions to label, case-insensitive, or * for every file (default "
          + "${DEFAULT-VALUE}). Not used for parquet/table input.")
  List<String> extensions;

  @Option(names = "--input-format", paramLabel = "FORMAT", order = 3, defaultValue = "binaryFile",
      converter = InputFormatConverter.class,
      description = "binaryFile (default: bytes decoded by the model's decoder), image (Spark's image source), "
          + "parquet or table (a binary column and a path column, see --content-column, --path-column), "
          + "manifest (an S3 Inventory manifest.json, or a CSV/JSON/Parquet table of paths: only those are read).")
  InputFormat inputFormat;

  @Option(names = "--content-column", paramLabel = "NAME", order = 4, defaultValue = "content",
      description = "parquet/table input: the binary column with the encoded image (default ${DEFAULT-VALUE}).")
  String contentColumn;

  @Option(names = "--path-column", paramLabel = "NAME", order = 5, defaultValue = "path",
      description = "parquet/table input: the string column that identifies the image (default ${DEFAULT-VALUE}).")
  String pathColumn;

  @Option(names = "--modification-time-column", paramLabel = "NAME", order = 6,
      description = "parquet/table input: a timestamp column for modification_time (default: none, "
          + "modification_time is null and incremental runs key on the path alone).")
  String modificationTimeColumn;

  @Option(names = "--length-column", paramLabel = "NAME", order = 7,
      description = "manifest input: the column with each object's size in bytes (default: length, if present).")
  String lengthColumn;

  @Option(names = "--model", paramLabel = "DIR", order = 10,
      description = "A resnet-spark SavedModel directory (any Hadoop path), as written by model-builder.")
  String model;

  /** --arch, --weights, --num-classes, --labels, --seed, --preset: model-builder's own, shared. */
  @Mixin
  ModelOptions modelOptions;

  @Option(names = "--output", paramLabel = "PATH", order = 20,
      description = "Where the table goes (directory; file:, hdfs:, s3a: or a local path). With --output-format "
          + "iceberg: the table name, db.table (in the --warehouse catalog) or catalog.db.table. Required.")
  String output;

  @Option(names = "--output-format", paramLabel = "FORMAT", order = 21, defaultValue = "parquet",
      description = "parquet (default), json (one JSON object per line), iceberg or delta (lake tables: one row "
          + "per file and model, one commit per run).")
  OutputFormat outputFormat;

  @Option(names = "--warehouse", paramLabel = "PATH", order = 23,
      description = "With --output-format iceberg: the directory or s3a:// prefix of the job's own Hadoop catalog "
          + "(resnet_lake), in which --output db.table lives. Without it, --output names a table of a catalog "
          + "configured in Spark (see conf/iceberg-catalogs.conf).")
  String warehouse;

  @Option(names = "--prune-missing", order = 24,
      description = "With --mode incremental on iceberg or delta: delete this model's rows of files under the "
          + "--input locations that are no longer listed.")
  boolean pruneMissing;

  @Option(names = "--max-attempts", paramLabel = "N", order = 25, defaultValue = "3",
      description = "Incremental runs label a file again while its row holds a transient error (UNREADABLE, "
          + "MODEL_ERROR) and fewer than N runs have tried it (default ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--target-file-size", paramLabel = "SIZE", order = 26, defaultValue = DEFAULT_TARGET_FILE_SIZE,
      description = "Size the written files aim at, e.g. 64m (default ${DEFAULT-VALUE}): a run over a few files "
          + "writes one small file, not one per task.")
  String targetFileSize;

  @Option(names = "--mode", paramLabel = "MODE", order = 22, defaultValue = "create",
      description = "create (default): a new output, refused if it exists and has data; overwrite: replace it; "
          + "append: add rows for every input; incremental: add rows only for files the output lacks for this "
          + "model and modification time.")
  Mode mode;

  @Option(names = "--batch-size", paramLabel = "N", order = 30, defaultValue = "32",
      description = "Images per model call (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--top-k", paramLabel = "K", order = 31, defaultValue = "5",
      description = "Classes kept per image in top_k (default ${DEFAULT-VALUE}); at most the model's classes.")
  int topK;

  @Option(names = "--embeddings", order = 32,
      description = "Also write each image's pooled features (column embedding; null otherwise).")
  boolean embeddings;

  @Option(names = "--partitions", paramLabel = "N", order = 33,
      description = "Spread the images over exactly N partitions (tasks); overrides --bytes-per-partition.")
  Integer partitions;

  @Option(names = "--bytes-per-partition", paramLabel = "SIZE", order = 34,
      defaultValue = DEFAULT_BYTES_PER_PARTITION,
      description = "Input bytes per partition, e.g. 64m or 1g (default ${DEFAULT-VALUE}); at least one "
          + "partition per core.")
  String bytesPerPartition;

  @Option(names = "--decode", paramLabel = "MODE", order = 35, defaultValue = "exact",
      description = "JPEG decoding: exact (torchvision's tensor bit for bit, the default) or reduced (libjpeg's "
          + "DCT-domain downscaling first: several times faster on camera-sized photos, close to torchvision); "
          + "recorded in the run report.")
  String decode;

  @Option(names = "--reads-in-flight", paramLabel = "N", order = 36, defaultValue = DEFAULT_READS_IN_FLIGHT,
      description = "binaryFile and manifest input: files each task reads at once (default ${DEFAULT-VALUE}); "
          + "object stores answer each read after a latency, so one at a time leaves a task waiting. 1 reads "
          + "one after another.")
  int readsInFlight;

  @Option(names = "--read-bytes-in-flight", paramLabel = "SIZE", order = 37,
      defaultValue = DEFAULT_READ_BYTES_IN_FLIGHT,
      description = "binaryFile and manifest input: the most bytes each task's reads in flight may hold, by the "
          + "listed sizes, e.g. 64m (default ${DEFAULT-VALUE}); a larger file is read alone.")
  String readBytesInFlight;

  @Option(names = "--max-error-rate", paramLabel = "R", order = 40, defaultValue = "1",
      description = "Fraction of this run's rows (0..1) allowed to be errors; above it the run exits with 3 "
          + "after writing (default ${DEFAULT-VALUE}: never).")
  double maxErrorRate;

  @Option(names = "--run-id", paramLabel = "ID", order = 41,
      description = "Identifies this run in the run_id column and the report (default: UTC time plus a random "
          + "suffix). Letters, digits and . _ : - only.")
  String runId;

  @Option(names = "--master", paramLabel = "URL", order = 42,
      description = "Spark master. Default: spark-submit's, or local[*] when run without spark-submit.")
  String master;

  @Option(names = "--show-rows", paramLabel = "N", order = 43, defaultValue = "0",
      description = "Print the first N rows this run wrote (default ${DEFAULT-VALUE}).")
  int showRows;

  @Option(names = "--dry-run", order = 44,
      description = "List the inputs (or read the manifest), apply --mode to the output and print what the run "
          + "would do, as text and as JSON; load no model, write nothing.")
  boolean dryRun;

  /** Checks what the types cannot; a problem is a usage error naming the option. */
  void validate() {
    require(inputs != null && !inputs.isEmpty() && inputs.stream().noneMatch(String::isBlank),
        "--input is required (a directory, file or glob; or a table name with --input-format table)");
    require(output != null && !output.isBlank(), "--output is required (the directory the table goes to)");
    Architecture arch = modelOptions.arch();
    Integer numClasses = modelOptions.numClasses();
    require(model == null || arch == null, "give either --model or --arch, not both");
    require(model != null || arch != null, "give --model DIR (a SavedModel) or --arch NAME (build one)");
    if (arch == null) {
      require(modelOptions.weights() == null && numClasses == null && modelOptions.labels() == null,
          "--weights, --num-classes and --labels go with --arch; a --model has its own");
    }
    if (numClasses != null) {
      require(numClasses >= 1, "--num-classes must be at least 1, got " + numClasses);
    }
    if (arch != null && modelOptions.weights() != null && modelOptions.weights().isNamed()) {
      try {
        modelOptions.published();
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
    }
    require(batchSize >= 1, "--batch-size must be at least 1, got " + batchSize);
    require(topK >= 1, "--top-k must be at least 1, got " + topK);
    require(Arrays.asList(DecodeMode.idArray()).contains(decode),
        "--decode must be one of " + String.join(", ", DecodeMode.idArray()) + ", got " + decode);
    if (partitions != null) {
      require(partitions >= 1, "--partitions must be at least 1, got " + partitions);
    }
    bytesPerPartition();
    require(readsInFlight >= 1 && readsInFlight <= MAX_READS_IN_FLIGHT, "--reads-in-flight must be between 1 and "
        + MAX_READS_IN_FLIGHT + ", got " + readsInFlight);
    readBytesInFlight();
    require(maxErrorRate >= 0 && maxErrorRate <= 1,
        "--max-error-rate must be between 0 and 1, got " + maxErrorRate);
    require(showRows >= 0, "--show-rows must be at least 0, got " + showRows);
    require(runId == null || RUN_ID.matcher(runId).matches(),
        "--run-id may hold letters, digits and . _ : - (at most 128), got '" + runId + "'");
    for (String e : extensions) {
      require(e.equals("*") || EXTENSION.matcher(e).matches(),
          "--extensions takes names like jpg,png or *, got '" + e + "'");
    }
    require(!inputFormat.isFiles() || !extensions.isEmpty(), "--extensions is empty; give e.g. jpg,png or *");
    require(inputFormat != InputFormat.TABLE || inputs.size() == 1, "--input-format table takes one table name");
    require(inputFormat != InputFormat.MANIFEST || inputs.size() == 1,
        "--input-format manifest takes one manifest (a manifest.json, or a file or directory of paths)");
    require(maxAttempts >= 1, "--max-attempts must be at least 1, got " + maxAttempts);
    targetFileSize();
    if (outputFormat == OutputFormat.ICEBERG) {
      require(TABLE_NAME.matcher(output).matches(), "with --output-format iceberg, --output is a table name "
          + "(db.table with --warehouse, or catalog.db.table), got '" + output + "'");
      require(warehouse == null || output.split("\\.").length == 2,
          "with --warehouse, --output is db.table (the catalog is the warehouse's), got '" + output + "'");
    } else {
      require(warehouse == null, "--warehouse goes with --output-format iceberg");
    }
    require(!pruneMissing || outputFormat.isLake() && mode == Mode.INCREMENTAL,
        "--prune-missing goes with --mode incremental and --output-format iceberg or delta");
  }

  /** {@code --target-file-size} in bytes. */
  long targetFileSize() {
    long bytes;
    try {
      bytes = JavaUtils.byteStringAsBytes(targetFileSize);
    } catch (RuntimeException e) {
      throw usage("--target-file-size takes a size like 64m or 1g, got '" + targetFileSize + "'");
    }
    require(bytes >= 1024, "--target-file-size must be at least 1k, got " + targetFileSize);
    return bytes;
  }

  /** {@code --bytes-per-partition} in bytes. */
  long bytesPerPartition() {
    long bytes;
    try {
      bytes = JavaUtils.byteStringAsBytes(bytesPerPartition);
    } catch (RuntimeException e) {
      throw usage("--bytes-per-partition takes a size like 64m or 1g, got '" + bytesPerPartition + "'");
    }
    require(bytes >= 1, "--bytes-per-partition must be at least 1 byte, got " + bytesPerPartition);
    return bytes;
  }

  /** {@code --read-bytes-in-flight} in bytes. */
  long readBytesInFlight() {
    long bytes;
    try {
      bytes = JavaUtils.byteStringAsBytes(readBytesInFlight);
    } catch (RuntimeException e) {
      throw usage("--read-bytes-in-flight takes a size like 64m or 1g, got '" + readBytesInFlight + "'");
    }
    require(bytes >= 1, "--read-bytes-in-flight must be at least 1 byte, got " + readBytesInFlight);
    return bytes;
  }

  /** The extensions to keep, lower case; empty means every file. */
  List<String> extensionFilter() {
    if (extensions.contains("*")) {
      return List.of();
    }
    return extensions.stream().map(e -> e.toLowerCase(Locale.ROOT)).distinct().toList();
  }

  private void require(boolean condition, String message) {
    if (!condition) {
      throw usage(message);
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  static final class InputFormatConverter implements CommandLine.ITypeConverter<InputFormat> {
    @Override
    public InputFormat convert(String value) {
      return Arrays.stream(InputFormat.values())
          .filter(f -> f.cliName.equalsIgnoreCase(value.strip()))
          .findFirst()
          .orElseThrow(() -> new CommandLine.TypeConversionException(
              "'" + value + "' is not one of binaryFile, image, parquet, table, manifest"));
    }
  }

  // Accessors for the job; the fields stay package-private for picocli and the tests.
  public Path config() {
    return config;
  }

  public List<String> inputs() {
    return inputs;
  }

  public InputFormat inputFormat() {
    return inputFormat;
  }

  public String contentColumn() {
    return contentColumn;
  }

  public String pathColumn() {
    return pathColumn;
  }

  public String modificationTimeColumn() {
    return modificationTimeColumn;
  }

  public String lengthColumn() {
    return lengthColumn;
  }

  public boolean dryRun() {
    return dryRun;
  }

  public String model() {
    return model;
  }

  /** The options that choose the model to build with --arch. */
  public ModelOptions modelOptions() {
    return modelOptions;
  }

  public Architecture arch() {
    return modelOptions.arch();
  }

  public WeightsArgument weights() {
    return modelOptions.weights();
  }

  public Integer numClasses() {
    return modelOptions.numClasses();
  }

  public long seed() {
    return modelOptions.seed();
  }

  public String output() {
    return output;
  }

  public OutputFormat outputFormat() {
    return outputFormat;
  }

  public Mode mode() {
    return mode;
  }

  public String warehouse() {
    return warehouse;
  }

  public boolean pruneMissing() {
    return pruneMissing;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public int batchSize() {
    return batchSize;
  }

  public int topK() {
    return topK;
  }

  public boolean embeddings() {
    return embeddings;
  }

  /** "exact" or "reduced": see {@link DecodeMode}. */
  public String decode() {
    return decode;
  }

  public int readsInFlight() {
    return readsInFlight;
  }

  public Integer partitions() {
    return partitions;
  }

  public double maxErrorRate() {
    return maxErrorRate;
  }

  public String runId() {
    return runId;
  }

  public String master() {
    return master;
  }

  public int showRows() {
    return showRows;
  }
}
