package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.udf;

import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.ml.image.ImageSchema$;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import scala.Option;

/**
 * The candidates of a run: one row per input with {@code path}, {@code modification_time} and {@code length},
 * plus the image itself for the formats whose scan reads it ({@code parquet} and {@code table}: the binary column
 * as {@code content}). File candidates ({@code binaryFile}, {@code image}, {@code manifest}) carry no bytes: they
 * are read later by {@link ContentReader}, and only for the files an incremental run still has to label.
 *
 * <p>Directory inputs are listed by Spark tasks ({@link DistributedListing}), so the driver never holds the list.
 * For {@code image} input the bytes read are then decoded by Spark's own image decoder into its image struct
 * ({@link #withSparkImages}), as its image source would; that source is not used to read them because its file index
 * holds every file on the driver and its scan drops zero-length files (which must become {@code EMPTY} rows).
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

  /** The candidates for {@code options}; nothing is read yet. */
  public static Candidates candidates(SparkSession spark, JobOptions options) {
    try {
      return switch (options.inputFormat()) {
        case BINARYFILE, IMAGE -> distributedListing(spark, options);
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

  /**
   * {@code read} (rows of {@link ContentReader#OUTPUT_SCHEMA}) with an {@link #IMAGE} column: the struct Spark's
   * image source gives for each file's bytes (with {@code dropInvalid} off: bytes that do not decode give its invalid
   * image row). A file with no bytes, empty or unreadable, has a null image: the classifier reports it as
   * {@code EMPTY}, or the row takes the file's read error.
   */
  static Dataset<Row> withSparkImages(Dataset<Row> read) {
    return read.withColumn(IMAGE, SPARK_IMAGE.apply(col(OutputTable.PATH), col(ContentReader.CONTENT)));
  }

  /** Spark's image struct of a file's bytes, named by its URL-encoded URI as the image source names it. */
  static Row sparkImage(String path, byte[] content) {
    if (content == null || content.length == 0) {
      return null;
    }
    String origin = new Path(path).toUri().toString();
    // ImageSchema.decode is the image source's own decoder (public in bytecode, package-private in Scala): one copy
    // of the BGR conversion rather than a hand-written one.
    Option<Row> decoded = ImageSchema$.MODULE$.decode(origin, content);
    Row image = decoded.isDefined() ? decoded.get() : ImageSchema$.MODULE$.invalidImageRow(origin);
    return image.getStruct(0);
  }

  private static final UserDefinedFunction SPARK_IMAGE =
      udf((UDF2<String, byte[], Row>) InputSource::sparkImage, ImageSchema.columnSchema())
          .withName("resnet_spark_image");

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

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

}
