import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_millis;

import io.resnetspark.job.OutputTable;
import io.resnetspark.udf.distribution.ModelPackage;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * Synthetic inputs of the scale benchmark (scripts/bench/scale.sh), written by Spark itself: a manifest of n objects
 * (Parquet, the columns of --input-format manifest: path, modification_time, length) and an existing labels table of
 * n rows in the job's output schema (OutputTable.SCHEMA), labelled with the model of MODEL_DIR, of which 90% are
 * objects of the manifest (to skip) and 10% objects no longer in it; so 10% of the manifest is left to label.
 *
 * <p>Run with the job jar and Spark's jars on the class path (Java's single-file launcher):
 * {@code java -cp JOB_JAR:SPARK_JARS scripts/bench/ScaleData.java N OUT_DIR MODEL_DIR}
 */
public final class ScaleData {
  private ScaleData() {
  }

  /** Object {@code id}'s key: a thousand prefixes, as a lake partitioned by date or camera would have. */
  static Column path(Column id) {
    return concat(lit("s3a://lake/images/"), format_string("%03d/%09d.jpg", id.mod(1000), id));
  }

  static Column modificationTime(Column id) {
    return timestamp_millis(lit(1_700_000_000_000L).plus(id));
  }

  public static void main(String[] args) throws Exception {
    long n = Long.parseLong(args[0]);
    String out = args[1];
    String model = args[2];
    SparkSession spark = SparkSession.builder().master("local[*]").appName("scale data")
        .config("spark.ui.enabled", "false").getOrCreate();
    String sha256 = ModelPackage.pack(model, spark.sparkContext().hadoopConfiguration(), 1 << 20,
        (index, chunk) -> { }).sha256();
    int files = (int) Math.max(1, n / 1_000_000);

    Column id = col("id");
    spark.range(n).repartition(files)
        .select(path(id).as("path"), modificationTime(id).as("modification_time"),
            lit(20_000L).plus(id.mod(100_000)).as("length"))
        .write().mode("overwrite").parquet(out + "/manifest");

    // ids n/10 .. n + n/10: the first 90% are in the manifest, the rest were deleted from the lake since.
    Dataset<Row> ids = spark.range(n / 10, n + n / 10).toDF().repartition(files);
    List<Column> columns = new ArrayList<>();
    for (StructField field : OutputTable.SCHEMA.fields()) {
      Column value = switch (field.name()) {
        case OutputTable.PATH -> path(id);
        case OutputTable.MODIFICATION_TIME -> modificationTime(id);
        case OutputTable.LENGTH -> lit(20_000L).plus(id.mod(100_000));
        case OutputTable.LABEL -> lit("tabby");
        case OutputTable.PROBABILITY -> lit(0.5f);
        case OutputTable.MODEL_ARCH -> lit("resnet18");
        case OutputTable.MODEL_SHA256 -> lit(sha256);
        case OutputTable.RUN_ID -> lit("20261129T000000Z-scale");
        case OutputTable.PROCESSED_AT -> lit(Timestamp.valueOf("2026-11-29 00:00:00"));
        default -> lit(null);
      };
      columns.add(value.cast(field.dataType()).as(field.name()));
    }
    ids.select(columns.toArray(Column[]::new)).write().mode("overwrite").parquet(out + "/labels");
    System.out.println("wrote " + n + " manifest rows to " + out + "/manifest and " + n + " labels rows (model "
        + sha256 + ") to " + out + "/labels");
    spark.stop();
  }
}
