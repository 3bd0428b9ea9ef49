package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.udf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * The objects to label, read from a manifest instead of a listing ({@code --input-format manifest}): no listing
 * call is made and only the objects named are read. Two kinds of manifest:
 *
 * <ul>
 *   <li>An S3 Inventory report, given as its {@code manifest.json}: the data files it names (CSV, gzip or not,
 *   Parquet or ORC) hold AWS's columns {@code bucket}, {@code key}, {@code size} and {@code last_modified_date}.
 *   CSV keys are URL-encoded and decoded here. Rows of older versions and delete markers are dropped when the
 *   report has those columns. Objects are named {@code s3a://bucket/key}.</li>
 *   <li>A table of paths: CSV (with a header line), JSON lines or Parquet, one file or a directory of them, with a
 *   path column ({@code --path-column}, default {@code path}) and optionally {@code modification_time} and
 *   {@code length} (or {@code --modification-time-column}, {@code --length-column}).</li>
 * </ul>
 *
 * <p>The result is a distributed Dataset of {@link ContentReader#INPUT_SCHEMA}, one row per path, filtered by the
 * extensions; the driver holds only the manifest's own metadata. An entry whose object is gone becomes an
 * {@code UNREADABLE} row when {@link ContentReader} tries to read it.
 */
public final class Manifest {
  /** The file name of an S3 Inventory report's manifest. */
  public static final String INVENTORY_MANIFEST = "manifest.json";
  static final String MODIFICATION_TIME_DEFAULT = "modification_time";
  static final String LENGTH_DEFAULT = "length";

  private Manifest() {
  }

  /**
   * The manifest's entries as rows of (path, modification_time, length).
   *
   * @throws ConfigException if the manifest cannot be read, lacks a column, or names data files that do not exist
   */
  public static Dataset<Row> candidates(SparkSession spark, JobOptions options) {
    String input = options.inputs().get(0);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Dataset<Row> rows;
    try {
      Path path = new Path(input);
      FileSystem fs = path.getFileSystem(conf);
      FileStatus status;
      try {
        status = fs.getFileStatus(path);
      } catch (FileNotFoundException e) {
        throw new ConfigException("manifest " + input + " does not exist");
      }
      rows = status.isFile() && path.getName().equals(INVENTORY_MANIFEST)
          ? inventory(spark, fs, status.getPath())
          : pathTable(spark, options, fs, status);
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      throw new ConfigException("cannot read manifest " + input + ": " + Messages.firstLine(e), e);
    }
    List<String> extensions = options.extensionFilter();
    if (!extensions.isEmpty()) {
      Column extension = lower(regexp_extract(col(OutputTable.PATH), "\\.([^./]*)$", 1));
      rows = rows.where(extension.isin(extensions.toArray()));
    }
    return rows.where(col(OutputTable.PATH).isNotNull()).dropDuplicates(OutputTable.PATH);
  }

  // ---- S3 Inventory ----

  /** What an inventory's {@code manifest.json} says: the format, the column order (CSV) and the data files. */
  record InventoryManifest(String fileFormat, List<String> columns, List<String> dataKeys, String destinationBucket) {
    static InventoryManifest parse(InputStream json, String where) throws IOException {
      JsonNode root = new ObjectMapper().readTree(json);
      String format = root.path("fileFormat").asText("");
      if (!List.of("CSV", "PARQUET", "ORC").contains(format.toUpperCase(Locale.ROOT))) {
        throw new ConfigException("manifest " + where + " has fileFormat '" + format + "'; an S3 Inventory "
            + "manifest.json names CSV, Parquet or ORC files");
      }
      List<String> columns = new ArrayList<>();
      if (format.equalsIgnoreCase("CSV")) {
        for (String c : root.path("fileSchema").asText("").split(",")) {
          columns.add(c.strip());
        }
      }
      List<String> keys = new ArrayList<>();
      for (JsonNode file : root.path("files")) {
        keys.add(file.path("key").asText());
      }
      if (keys.isEmpty()) {
        throw new ConfigException("manifest " + where + " names no data files (its \"files\" list is empty)");
      }
      String destination = root.path("destinationBucket").asText("");
      destination = destination.substring(destination.lastIndexOf(':') + 1);
      return new InventoryManifest(format.toUpperCase(Locale.ROOT), columns, keys, destination);
    }
  }

  private static Dataset<Row> inventory(SparkSession spark, FileSystem fs, Path manifestPath) throws IOException {
    InventoryManifest manifest;
    try (InputStream in = fs.open(manifestPath)) {
      manifest = InventoryManifest.parse(in, manifestPath.toString());
    }
    String[] files = new String[manifest.dataKeys().size()];
    for (int i = 0; i < files.length; i++) {
      files[i] = dataFile(fs, manifestPath, manifest, manifest.dataKeys().get(i)).toString();
    }
    Dataset<Row> data;
    boolean csv = manifest.fileFormat().equals("CSV");
    if (csv) {
      List<String> columns = manifest.columns().stream().map(Manifest::parquetName).toList();
      for (String required : List.of("bucket", "key")) {
        if (!columns.contains(required)) {
          throw new ConfigException("manifest " + manifestPath + ": its fileSchema '"
              + String.join(", ", manifest.columns()) + "' has no " + required + " column");
        }
      }
      data = spark.read().option("header", "false").option("mode", "PERMISSIVE").csv(files)
          .toDF(columns.toArray(String[]::new));
    } else {
      data = manifest.fileFormat().equals("ORC") ? spark.read().orc(files) : spark.read().parquet(files);
      data = data.toDF(Arrays.stream(data.columns()).map(String::toLowerCase).toArray(String[]::new));
      for (String required : List.of("bucket", "key")) {
        if (!Arrays.asList(data.columns()).contains(required)) {
          throw new ConfigException("inventory data file " + files[0] + " has no " + required + " column; its "
              + "columns are " + String.join(", ", data.columns()));
        }
      }
    }
    List<String> columns = Arrays.asList(data.columns());
    if (columns.contains("is_latest")) {
      data = data.where(col("is_latest").cast(DataTypes.BooleanType));
    }
    if (columns.contains("is_delete_marker")) {
      data = data.where(col("is_delete_marker").isNull()
          .or(col("is_delete_marker").cast(DataTypes.BooleanType).equalTo(lit(false))));
    }
    Column path = OBJECT_PATH.apply(col("bucket").cast(DataTypes.StringType), csv
        ? DECODED_KEY.apply(col("key").cast(DataTypes.StringType)) : col("key").cast(DataTypes.StringType));
    Column modified = !columns.contains("last_modified_date") ? lit(null).cast(DataTypes.TimestampType)
        : csv ? col("last_modified_date").cast(DataTypes.TimestampType) : timestamp(data, "last_modified_date");
    Column size = columns.contains("size") ? col("size").cast(DataTypes.LongType) : lit(null).cast(DataTypes.LongType);
    return data.select(path.as(OutputTable.PATH), modified.as(OutputTable.MODIFICATION_TIME),
        size.as(OutputTable.LENGTH));
  }

  /** {@code LastModifiedDate} as the Parquet and ORC reports name it: {@code last_modified_date}. */
  static String parquetName(String csvName) {
    return csvName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  /**
   * Where a data file of the report is. The keys are keys of the destination bucket; the report may also have
   * been copied elsewhere (a local or HDFS directory), so the key is looked for under the destination bucket on
   * the manifest's own object store, and else under each directory above the manifest.
   */
  static Path dataFile(FileSystem fs, Path manifestPath, InventoryManifest manifest, String key) throws IOException {
    List<Path> tried = new ArrayList<>();
    URI uri = manifestPath.toUri();
    if (uri.getAuthority() != null && !manifest.destinationBucket().isEmpty() && uri.getScheme().startsWith("s3")) {
      Path inBucket = new Path(uri.getScheme() + "://" + manifest.destinationBucket() + "/" + key);
      tried.add(inBucket);
      if (exists(fs, inBucket)) {
        return inBucket;
      }
    }
    for (Path dir = manifestPath.getParent(); dir != null; dir = dir.getParent()) {
      Path candidate = new Path(dir, key);
      tried.add(candidate);
      if (exists(fs, candidate)) {
        return candidate;
      }
    }
    throw new ConfigException("manifest " + manifestPath + " names data file " + key + ", which does not exist "
        + "(looked for " + tried.get(0) + (tried.size() > 1 ? " and under the directories above the manifest" : "")
        + ")");
  }

  private static boolean exists(FileSystem fs, Path path) throws IOException {
    try {
      return path.getFileSystem(fs.getConf()).getFileStatus(path).isFile();
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /** An inventory key, URL-encoded in CSV reports ({@code a+b%C3%A9.jpg} is {@code a bé.jpg}). */
  static String decodeKey(String key) {
    return key == null ? null : URLDecoder.decode(key, StandardCharsets.UTF_8);
  }

  /** The object as S3A and Spark's file sources name it: {@code s3a://bucket/key}, not URL-encoded. */
  static String objectPath(String bucket, String key) {
    if (bucket == null || key == null) {
      return null;
    }
    try {
      return new Path(new URI("s3a", bucket, "/" + key, null)).toString();
    } catch (URISyntaxException e) {
      return "s3a://" + bucket + "/" + key;
    }
  }

  private static final UserDefinedFunction DECODED_KEY =
      udf((UDF1<String, String>) Manifest::decodeKey, DataTypes.StringType)
          .withName("resnet_spark_inventory_key");
  private static final UserDefinedFunction OBJECT_PATH =
      udf((UDF2<String, String, String>) Manifest::objectPath, DataTypes.StringType)
          .withName("resnet_spark_object_path");

  // ---- Tables of paths ----

  private static Dataset<Row> pathTable(SparkSession spark, JobOptions options, FileSystem fs, FileStatus input)
      throws IOException {
    String format = tableFormat(fs, input);
    String location = input.getPath().toString();
    Dataset<Row> table = switch (format) {
      case "csv" -> spark.read().option("header", "true").option("recursiveFileLookup", "true").csv(location);
      case "json" -> spark.read().option("recursiveFileLookup", "true").json(location);
      default -> spark.read().option("recursiveFileLookup", "true").parquet(location);
    };
    StructField path = column(table, options.pathColumn(), "--path-column", location, true);
    StructField modified = column(table, options.modificationTimeColumn() != null
        ? options.modificationTimeColumn() : MODIFICATION_TIME_DEFAULT, "--modification-time-column", location,
        options.modificationTimeColumn() != null);
    StructField length = column(table, options.lengthColumn() != null ? options.lengthColumn() : LENGTH_DEFAULT,
        "--length-column", location, options.lengthColumn() != null);
    if (!path.dataType().equals(DataTypes.StringType)) {
      throw new ConfigException("--path-column " + path.name() + " of manifest " + location + " is "
          + path.dataType().simpleString() + ", not string");
    }
    Column modificationTime = modified == null ? lit(null).cast(DataTypes.TimestampType) : timestamp(table,
        modified.name());
    Column bytes = length == null ? lit(null).cast(DataTypes.LongType) : col(quoted(length.name()))
        .cast(DataTypes.LongType);
    return table.select(col(quoted(path.name())).as(OutputTable.PATH),
        modificationTime.as(OutputTable.MODIFICATION_TIME), bytes.as(OutputTable.LENGTH));
  }

  /** A timestamp from a timestamp, a date-time string, or milliseconds since the epoch. */
  private static Column timestamp(Dataset<Row> table, String name) {
    DataType type = table.schema().apply(name).dataType();
    Column c = col(quoted(name));
    if (type.equals(DataTypes.LongType) || type.equals(DataTypes.IntegerType)) {
      return timestamp_millis(c);
    }
    return c.cast(DataTypes.TimestampType);
  }

  /** The format of a table of paths, from its file names: csv, json or parquet. */
  static String tableFormat(FileSystem fs, FileStatus input) throws IOException {
    String name = input.getPath().getName();
    if (input.isDirectory()) {
      name = null;
      for (FileStatus f : fs.listStatus(input.getPath())) {
        String n = f.getPath().getName();
        if (f.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
          name = n;
          break;
        }
      }
      if (name == null) {
        throw new ConfigException("manifest " + input.getPath() + " is a directory without data files");
      }
    }
    String lower = name.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|snappy|zst|lz4)$", "");
    if (lower.endsWith(".csv")) {
      return "csv";
    }
    if (lower.endsWith(".json") || lower.endsWith(".jsonl")) {
      return "json";
    }
    if (lower.endsWith(".parquet")) {
      return "parquet";
    }
    throw new ConfigException("manifest " + input.getPath() + ": cannot tell its format from the name " + name
        + " (use " + INVENTORY_MANIFEST + " of an S3 Inventory report, or .csv, .json or .parquet files)");
  }

  private static StructField column(Dataset<Row> table, String name, String option, String where,
                                    boolean required) {
    for (StructField f : table.schema().fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    if (!required) {
      return null;
    }
    throw new ConfigException("manifest " + where + " has no column '" + name + "' (" + option + "); its columns are "
        + String.join(", ", table.columns()));
  }

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
