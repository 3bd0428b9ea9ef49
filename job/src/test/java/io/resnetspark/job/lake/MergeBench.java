package io.resnetspark.job.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.resnetspark.job.JobOptions.Mode;
import io.resnetspark.job.JobOptions.OutputFormat;
import io.resnetspark.job.OutputTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What one incremental commit costs against a table of {@code existing} rows (default 100,000): the MERGE of a
 * nightly run that changes 100 files, adds 100 and prunes 10, on Iceberg and on Delta, local disk, local[2]. No
 * model: the rows are synthetic (top-5, no embedding), so this times the commit alone. Not a test; run with
 * {@code java -cp <test class path> io.resnetspark.job.lake.MergeBench [existing] [repeats]} (see
 * {@code scripts/bench-merge.sh}).
 */
public final class MergeBench {
  private MergeBench() {
  }

  public static void main(String[] args) throws Exception {
    long existing = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    SparkSession spark = SparkSession.builder().master("local[2]").appName("MergeBench")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config(LakeTable.EXTENSIONS, IcebergLakeTable.EXTENSION + "," + DeltaLakeTable.EXTENSION)
        .config(DeltaLakeTable.SESSION_CATALOG, DeltaLakeTable.DELTA_CATALOG)
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Path dir = Files.createTempDirectory("resnet-spark-merge-bench-");
    String sha = "0".repeat(64);
    try {
      for (OutputFormat format : new OutputFormat[] {OutputFormat.ICEBERG, OutputFormat.DELTA}) {
        LakeTable table = format == OutputFormat.ICEBERG
            ? IcebergLakeTable.open(spark, "bench.labels", dir.resolve("warehouse").toString())
            : DeltaLakeTable.open(spark, dir.resolve("delta").toString());
        long start = System.nanoTime();
        table.commit(rows(spark, 0, existing, sha, "create").localCheckpoint(true), null, Mode.CREATE, sha, "create",
            128L << 20);
        System.out.printf(Locale.ROOT, "%s: created %,d rows in %.1f s%n", format, existing, seconds(start));
        for (int i = 1; i <= repeats; i++) {
          String run = "night-" + i;
          // 100 changed files (a new modification time), 100 new ones, 10 pruned.
          Dataset<Row> changed = rows(spark, i * 1000L, 100, sha, run).withColumn(OutputTable.MODIFICATION_TIME,
              expr("current_timestamp()"));
          Dataset<Row> added = rows(spark, existing + (i - 1) * 100L, 100, sha, run);
          Dataset<Row> source = changed.unionByName(added).localCheckpoint(true);
          Dataset<Row> pruned = spark.range(i * 1000L + 500, i * 1000L + 510)
              .select(expr("concat('file:/lake/images/', id, '.jpg')").as(OutputTable.PATH)).localCheckpoint(true);
          start = System.nanoTime();
          LakeTable.Commit commit = table.commit(source, pruned, Mode.INCREMENTAL, sha, run, 128L << 20);
          double merge = seconds(start);
          long rows = table.read().count();
          System.out.printf(Locale.ROOT, "%s: MERGE of 100 changed + 100 new + 10 pruned into %,d rows: %.1f s "
              + "(snapshot %s; %,d rows after)%n", format, rows - 90, merge, commit.snapshot(), rows);
        }
      }
    } finally {
      spark.stop();
      org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
    }
  }

  /** {@code count} rows of the labels schema for paths {@code first..first+count-1}. */
  static Dataset<Row> rows(SparkSession spark, long first, long count, String sha, String runId) {
    Column[] columns = {
        expr("concat('file:/lake/images/', id, '.jpg')").as(OutputTable.PATH),
        expr("timestamp'2026-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id % 86400)")
            .as(OutputTable.MODIFICATION_TIME),
        expr("100000 + id % 5000").as(OutputTable.LENGTH),
        expr("concat('class_', id % 1000)").as(OutputTable.LABEL),
        expr("CAST(id % 1000 AS INT)").as(OutputTable.INDEX),
        expr("CAST(0.5 AS FLOAT)").as(OutputTable.PROBABILITY),
        expr("transform(sequence(0, 4), k -> named_struct('index', CAST((id + k) % 1000 AS INT), "
            + "'label', concat('class_', (id + k) % 1000), 'probability', CAST(0.5 / (k + 1) AS FLOAT)))")
            .as(OutputTable.TOP_K),
        expr("CAST(NULL AS ARRAY<FLOAT>)").as(OutputTable.EMBEDDING),
        expr("CAST(NULL AS STRING)").as(OutputTable.ERROR_CODE),
        expr("CAST(NULL AS STRING)").as(OutputTable.ERROR_MESSAGE),
        expr("'resnet50'").as(OutputTable.MODEL_ARCH),
        expr("'" + sha + "'").as(OutputTable.MODEL_SHA256),
        expr("'exact'").as(OutputTable.DECODE_MODE),
        expr("'" + runId + "'").as(OutputTable.RUN_ID),
        expr("current_timestamp()").as(OutputTable.PROCESSED_AT),
        expr("1").as(OutputTable.ATTEMPTS)};
    return spark.range(first, first + count).select(columns)
        .select(java.util.Arrays.stream(OutputTable.SCHEMA.fields())
            .map(f -> col(f.name()).cast(f.dataType())).toArray(Column[]::new));
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
