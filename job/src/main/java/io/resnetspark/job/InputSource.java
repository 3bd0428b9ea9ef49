package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.udf;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;

/**
 * The candidates of a run: one row per input with {@code path}, {@code modification_time} and {@code length},
 * plus the image itself for the formats whose scan reads it ({@code image}: Spark's image struct; {@code parquet}
 * and {@code table}: the binary column as {@code content}). {@code binaryFile} candidates carry no bytes: they are
 * read later by {@link ContentReader}, and only for the files an incremental run still has to label.
 *
 * <p>For {@code binaryFile} input, {@link DistributedListing} lists the files in Spark tasks, so the driver never
 * holds the list; for {@code image} input the driver's {@link FileListing} decides. Spark's image source reads the
 * non-empty ones; its scan drops zero-length files, so those are added back with a null image (the classifier
 * reports them as {@code EMPTY}).
 */
public final class InputSource {
  /** The payload column of {@code image} input (Spark's image struct). */
  public static final String IMAGE = "image";

  private InputSource() {
  }

  /**
   * What a run reads: the candidates, the column that holds each image (null: read later), and, when the listing
   * was made here ({@code binaryFile} listed by Spark tasks), how many files it passed over for their extension
   * (as {@link FileListing.Listing#excluded()}); null otherwise.
   */
  public record Candidates(Dataset<Row> rows, String payloadColumn, Map<String, Long> excluded) {
    Candidates(Dataset<Row> rows, String payloadColumn) {
      this(rows, payloadColumn, null);
    }
  }

  /**
   * The candidates for {@code options}; nothing is read yet.
   *
   * @param listing the files of a file input ({@code binaryFile}, {@code image}); null for tables
   */
  public static Candidates candidates(SparkSession spark, JobOptions options, List<FileListing.Entry> listing) {
    try {
      return switch (options.inputFormat()) {
        case BINARYFILE -> listing != null ? new Candidates(listed(spark, listing), null)
            : distributedListing(spark, options);
        case IMAGE -> new Candidates(images(spark, options, listing), IMAGE);
        case PARQUET -> new Candidates(table(options, spark.read().parquet(options.inputs().toArray(String[]::new))),
            ContentReader.CONTENT);
        case TABLE -> new Candidates(table(options, spark.table(options.inputs().get(0))), ContentReader.CONTENT);
        case MANIFEST -> new Candidates(Manifest.candidates(spark, options), null);
      };
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      // AnalysisException and listing failures: the inputs exist but Spark cannot use them as given.
      throw new ConfigException("cannot read input " + String.join(", ", options.inputs()) + " as "
          + options.inputFormat() + ": " + Messages.firstLine(e), e);
    }
  }

  /** The listing as rows of (path, modification_time, length). */
  static Dataset<Row> listed(SparkSession spark, List<FileListing.Entry> listing) {
    List<Row> rows = listing.stream()
        .map(f -> RowFactory.create(f.path(), new Timestamp(f.modificationTime()), f.length()))
        .toList();
    return spark.createDataFrame(rows, ContentReader.INPUT_SCHEMA);
  }

  /**
   * The files listed by Spark tasks, kept on the executors (memory, else disk) because a run reads the listing
   * more than once: to count what was passed over (the first Spark job, which fills the cache), to check it is not
   * empty, to count it, and to label it.
   */
  private static Candidates distributedListing(SparkSession spark, JobOptions options) {
    DistributedListing.Listing listing = DistributedListing.listing(spark, options.inputs(), options.extensionFilter())
        .persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Long> excluded = listing.excluded();
    return new Candidates(listing.files(), null, excluded);
  }

  private static Dataset<Row> images(SparkSession spark, JobOptions options, List<FileListing.Entry> listing) {
    // The image source names files by URL-encoded URI; binaryFile and the listing by Hadoop's Path string.
    // Incremental runs must find a file under one name whichever format labelled it, so the path is decoded.
    Dataset<Row> decoded = filesReader(spark, options, "image")
        .option("dropInvalid", "false")
        .load(options.inputs().toArray(String[]::new))
        .select(HADOOP_PATH.apply(col("_metadata.file_path")).as(OutputTable.PATH),
            col("_metadata.file_modification_time").as(OutputTable.MODIFICATION_TIME),
            col("_metadata.file_size").as(OutputTable.LENGTH),
            col(IMAGE));
    List<FileListing.Entry> empty = listing.stream().filter(f -> f.length() == 0).toList();
    Dataset<Row> emptyFiles = listed(spark, empty).withColumn(IMAGE, lit(null).cast(ImageSchema.columnSchema()));
    return decoded.unionByName(emptyFiles).dropDuplicates(OutputTable.PATH);
  }

  private static DataFrameReader filesReader(SparkSession spark, JobOptions options,
                                                                  String format) {
    DataFrameReader reader = spark.read().format(format).option("recursiveFileLookup", "true");
    List<String> extensions = options.extensionFilter();
    if (!extensions.isEmpty()) {
      reader = reader.option("pathGlobFilter", nameGlob(extensions));
    }
    return reader;
  }

  private static Dataset<Row> table(JobOptions options, Dataset<Row> table) {
    StructField content = column(table, options.contentColumn(), "--content-column", DataTypes.BinaryType);
    StructField path = column(table, options.pathColumn(), "--path-column", DataTypes.StringType);
    Column modificationTime = lit(null).cast(DataTypes.TimestampType);
    if (options.modificationTimeColumn() != null) {
      StructField m = column(table, options.modificationTimeColumn(), "--modification-time-column",
          DataTypes.TimestampType);
      modificationTime = col(quoted(m.name()));
    }
    return table.select(col(quoted(path.name())).as(OutputTable.PATH),
        modificationTime.as(OutputTable.MODIFICATION_TIME),
        octet_length(col(quoted(content.name()))).cast(DataTypes.LongType).as(OutputTable.LENGTH),
        col(quoted(content.name())).as(ContentReader.CONTENT));
  }

  private static StructField column(Dataset<Row> table, String name, String option, DataType type) {
    for (StructField f : table.schema().fields()) {
      if (f.name().equals(name)) {
        if (!f.dataType().equals(type)) {
          throw new ConfigException(option + " " + name + " is " + f.dataType().simpleString() + ", not "
              + type.simpleString());
        }
        return f;
      }
    }
    throw new ConfigException("the input has no column '" + name + "' (" + option + "); its columns are "
        + String.join(", ", table.columns()));
  }

  /**
   * A file-name glob matching the extensions case-insensitively, e.g. {@code *.{[jJ][pP][gG],[pP][nN][gG]}}
   * (Hadoop's glob syntax has no case-insensitive flag, but has character classes).
   */
  static String nameGlob(List<String> extensions) {
    return "*.{" + extensions.stream().map(InputSource::anyCase).collect(Collectors.joining(",")) + "}";
  }

  private static String anyCase(String extension) {
    StringBuilder glob = new StringBuilder();
    for (char c : extension.toLowerCase(Locale.ROOT).toCharArray()) {
      char upper = Character.toUpperCase(c);
      glob.append(upper == c ? String.valueOf(c) : "[" + c + upper + "]");
    }
    return glob.toString();
  }

  /** The binaryFile form of a URL-encoded file URI: {@code file:/a%20b.jpg} becomes {@code file:/a b.jpg}. */
  static String hadoopPath(String encodedUri) {
    try {
      return new Path(new URI(encodedUri)).toString();
    } catch (URISyntaxException e) {
      return encodedUri;
    }
  }

  private static final UserDefinedFunction HADOOP_PATH =
      udf((UDF1<String, String>) InputSource::hadoopPath, DataTypes.StringType).withName("resnet_spark_hadoop_path");

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

}
