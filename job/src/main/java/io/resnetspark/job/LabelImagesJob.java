package io.resnetspark.job;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.resnetspark.job.JobOptions.InputFormat;
import io.resnetspark.job.JobOptions.Mode;
import io.resnetspark.job.OutputTable.Existing;
import io.resnetspark.job.OutputTable.State;
import io.resnetspark.job.lake.LakeTable;
import io.resnetspark.udf.PredictionSchema;
import io.resnetspark.udf.ResNetClassifier;
import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.distribution.ModelBroadcasts;
import io.resnetspark.udf.distribution.ModelPackage;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The Spark application: labels every image under {@code --input} with a ResNet SavedModel and writes one row per
 * file to {@code --output}. Usable with {@code spark-submit --class io.resnetspark.job.LabelImagesJob} and, with
 * Spark's jars on the class path, as a plain Java program (then in {@code local[*]}).
 *
 * <p>Order of work: everything that can be wrong with the command line, the model, the output and the input is
 * checked on the driver first (exit code {@link ExitCode#CONFIG_ERROR}); only then are images read, labelled and
 * written in one Spark job, committed at its end; then the report is written and printed.
 */
public final class LabelImagesJob {
  private static final Logger LOG = LoggerFactory.getLogger(LabelImagesJob.class);
  static final String PREDICTION = "prediction";
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);
  static final String COMMITTER_ALGORITHM = "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version";
  /** The largest embedding of the torchvision ResNets (2048 floats), for sizing output files. */
  static final int EMBEDDING_SIZE_BOUND = 2048;
  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final JobOptions options;
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, Double> driverSeconds = new LinkedHashMap<>();

  private LabelImagesJob(JobOptions options, PrintStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the job and returns its exit code (see {@link ExitCode}); never calls {@code System.exit}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    JobCommandLine.Parsed parsed;
    try {
      parsed = JobCommandLine.parse(args);
    } catch (CommandLine.ParameterException e) {
      err.println("error: " + e.getMessage() + " (see --help)");
      return ExitCode.USAGE;
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return ExitCode.CONFIG_ERROR;
    }
    if (parsed.commandLine().isUsageHelpRequested()) {
      parsed.commandLine().usage(out);
      return ExitCode.OK;
    }
    if (parsed.commandLine().isVersionHelpRequested()) {
      parsed.commandLine().printVersionHelp(out);
      return ExitCode.OK;
    }
    return new LabelImagesJob(parsed.options(), out, err).execute();
  }

  private int execute() {
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    String runId = options.runId() != null ? options.runId() : newRunId(started);
    Session session;
    try {
      session = Session.start(options, runId);
    } catch (RuntimeException e) {
      LOG.error("cannot start Spark", e);
      err.println("error: cannot start Spark: " + Messages.firstLine(e));
      return ExitCode.RUN_FAILED;
    }
    try {
      return label(session.spark(), runId, started, startNanos);
    } catch (ConfigException e) {
      LOG.debug("configuration error", e);
      err.println("error: " + e.getMessage());
      return ExitCode.CONFIG_ERROR;
    } catch (Exception e) {
      // Not only RuntimeException and IOException: Spark's Scala code throws a failed job's SparkException, a checked
      // exception, without declaring it.
      LOG.error("run " + runId + " failed", e);
      err.println("error: run " + runId + " failed, nothing of it was committed: " + Messages.rootMessage(e));
      return ExitCode.RUN_FAILED;
    } finally {
      session.close();
    }
  }

  private int label(SparkSession spark, String runId, Instant started, long startNanos) throws IOException {
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    long phase = lap("spark_start", startNanos);

    // 1. Checks with the file systems and catalogs only: output, input files, model files.
    LakeTable lake = options.outputFormat().isLake() ? LakeTable.open(spark, options) : null;
    OutputTable table = lake == null ? new OutputTable(options.output(), options.outputFormat()) : null;
    boolean tableExists;
    boolean outputExisted;
    String outputState;
    if (lake != null) {
      lake.checkWritable(options.mode());
      tableExists = lake.exists();
      outputExisted = tableExists;
      outputState = (tableExists ? State.TABLE : State.ABSENT).toString().toLowerCase(Locale.ROOT);
    } else {
      // Lake tables commit through their own log, not Hadoop's output committer: the check is for file tables.
      S3ACommitCheck.require(options.output(), hadoopConf::get, key -> spark.conf().get(key, null));
      Existing existing = table.inspect(hadoopConf);
      table.checkWritable(options.mode(), existing, spark);
      tableExists = existing.state() == State.TABLE;
      outputExisted = existing.state() != State.ABSENT;
      outputState = existing.state().toString().toLowerCase(Locale.ROOT);
    }
    try (ModelSource model = ModelSource.resolve(options, hadoopConf)) {
      if (options.topK() > model.metadata().numClasses()) {
        throw new ConfigException("--top-k " + options.topK() + " is more than the model's "
            + model.metadata().numClasses() + " classes");
      }
      RunMetrics metrics = RunMetrics.register(spark.sparkContext(), runId);
      ResNetClassifier classifier = classifier(model, metrics);
      if (!options.dryRun()) {
        // In local mode the model is broadcast and loaded while the input is listed (seconds each for ResNet-50).
        classifier.warmUpLocalModel(spark);
      }
      InputSource.Candidates candidates = InputSource.candidates(spark, options);
      // What --extensions passed over, counted by the listing tasks.
      Map<String, Long> excluded = candidates.excluded();
      if (options.inputFormat().isFiles() && candidates.rows().isEmpty()) {
        throw noFiles(excluded);
      }
      phase = lap("checks", phase);
      if (options.dryRun()) {
        return dryRun(spark, runId, table, lake, tableExists, outputState, candidates, excluded, model, phase);
      }
      BroadcastModel broadcast = ModelBroadcasts.get(spark, model.path());
      phase = lap("model_broadcast", phase);

      if (tableExists && (options.mode() == Mode.APPEND || options.mode() == Mode.INCREMENTAL)) {
        OutputTable.checkDecodeMode(lake != null ? lake.read() : table.read(spark), options.output(),
            broadcast.sha256(), options.decode());
      }

      // 2. What is left to label: files without a current row, changed files, and transient errors to retry.
      boolean incremental = options.mode() == Mode.INCREMENTAL && tableExists;
      Dataset<Row> current = incremental
          ? OutputTable.currentRows(lake != null ? lake.read() : table.read(spark), broadcast.sha256()) : null;
      Work work = incremental
          ? Work.of(OutputTable.toLabel(candidates.rows(), current, options.maxAttempts()), candidates.rows().count())
          : Work.of(candidates.rows(), -1);
      Dataset<Row> deletions = incremental && options.pruneMissing()
          ? missingFiles(current, candidates.rows(), hadoopConf).localCheckpoint(true) : null;
      long deletionCount = deletions == null ? 0 : deletions.count();
      long rowsBefore = lake != null && tableExists ? lake.read().count() : 0;
      phase = lap("listing", phase);

      // 3. Read, decode, infer, write; committed once, only when every task has succeeded.
      int partitions = Partitioning.partitions(options.partitions(), options.bytesPerPartition(), work.bytes(),
          work.count(), spark.sparkContext().defaultParallelism());
      long rowBytes = OutputTable.rowBytes(options.topK(), options.embeddings(), EMBEDDING_SIZE_BOUND);
      LakeTable.Commit commit = null;
      if (work.count() > 0 || deletionCount > 0) {
        Dataset<Row> rows = null;
        if (work.count() > 0) {
          LOG.info("run {}: labelling {} images ({} bytes) in {} partitions with {} ({})", runId, work.count(),
              work.bytes(), partitions, model.metadata().architecture(), model.weightsDescription());
          rows = labelledRows(spark, work.rows(), candidates.payloadColumn(), partitions, classifier, model,
              broadcast.sha256(), runId, metrics);
        }
        if (lake != null) {
          commit = commitLake(spark, lake, rows == null ? null : metered(rows, metrics), deletions,
              broadcast.sha256(), metrics, work.count(), runId);
        } else {
          if (incremental) {
            rows = OutputTable.withEarlierAttempts(rows, current);
          }
          int files = OutputTable.files(work.count(), rowBytes, options.targetFileSize());
          // Metered after the shuffle, in the stage that writes: a map task run again after a lost executor would
          // count its rows twice.
          write(spark, table, metered(rows.repartition(files), metrics), metrics, work.count(), runId);
        }
        phase = lap("label_and_write", phase);
      }

      // 4. Report.
      RunReport.Table lakeReport = null;
      if (lake != null) {
        lakeReport = lakeReport(lake, commit, work, deletionCount, rowsBefore);
      }
      RunReport report = report(spark, runId, started, startNanos, model, broadcast, work, metrics, partitions,
          excluded, lakeReport);
      boolean outputExists = lake != null ? lake.exists() : work.count() > 0 || outputExisted;
      String reportDir = lake != null && outputExists ? lake.location() : options.output();
      if (outputExists) {
        ReportFiles.write(report, reportDir, hadoopConf);
      }
      lap("report", phase);
      Dataset<Row> tableRows = lake != null ? (outputExists ? lake.read() : null) : table.read(spark);
      return finish(tableRows, report, outputExists ? reportDir : null);
    }
  }

  /**
   * The paths of this model's rows whose files are no longer listed: for file inputs only those under an
   * {@code --input} location (rows of other inputs sharing the table stay).
   */
  private Dataset<Row> missingFiles(Dataset<Row> current, Dataset<Row> candidates, Configuration hadoopConf) {
    // Sort-merge, never broadcast: the candidates may be millions of manifest paths (see OutputTable.toLabel).
    Dataset<Row> gone = current.join(candidates.hint("merge"), current.col("done_" + OutputTable.PATH)
            .equalTo(candidates.col(OutputTable.PATH)), "left_anti")
        .select(col("done_" + OutputTable.PATH).as(OutputTable.PATH));
    if (!options.inputFormat().isFiles()) {
      return gone;
    }
    Column under = lit(false);
    for (String root : inputRoots(hadoopConf)) {
      under = under.or(col(OutputTable.PATH).startsWith(root.endsWith("/") ? root : root + "/"));
    }
    return gone.where(under);
  }

  /** Counts what the run would do and prints it; the model is not broadcast or loaded, nothing is written. */
  private int dryRun(SparkSession spark, String runId, OutputTable table, LakeTable lake, boolean tableExists,
                     String outputState, InputSource.Candidates candidates,
                     Map<String, Long> excluded, ModelSource model, long phase) throws IOException {
    Dataset<Row> seen =
        candidates.rows().select(col(OutputTable.PATH), col(OutputTable.MODIFICATION_TIME), col(OutputTable.LENGTH));
    String sha256 = null;
    Dataset<Row> todo = seen;
    if (options.mode() == Mode.INCREMENTAL && tableExists) {
      sha256 = ModelPackage.pack(model.path(), spark.sparkContext().hadoopConfiguration(), 1 << 20,
          (index, chunk) -> { }).sha256();
      OutputTable.checkDecodeMode(lake != null ? lake.read() : table.read(spark), options.output(), sha256,
          options.decode());
      // As the run would: new and changed files, and transient errors with attempts left.
      Dataset<Row> current = OutputTable.currentRows(lake != null ? lake.read() : table.read(spark), sha256);
      todo = OutputTable.toLabel(seen, current, options.maxAttempts());
    }
    Map<String, DryRun.Counts> byExtension = DryRun.countByExtension(seen, todo);
    DryRun.Counts total = DryRun.total(byExtension);
    int partitions = Partitioning.partitions(options.partitions(), options.bytesPerPartition(),
        total.bytesToLabel(), total.toLabel(), spark.sparkContext().defaultParallelism());
    lap("listing", phase);
    new DryRun(runId, DryRun.STATUS,
        new RunReport.Input(options.inputs(), options.inputFormat().toString(),
            options.inputFormat().isFiles() ? extensionsForReport() : null, excluded),
        new RunReport.Output(options.output(), options.outputFormat().toString(), options.mode().toString(),
            null),
        outputState,
        new DryRun.Model(model.path(), model.metadata().architecture(), sha256),
        total, byExtension, partitions, new LinkedHashMap<>(driverSeconds)).print(out);
    return ExitCode.OK;
  }

  /** Each --input as the listing names paths, cut before its first glob character. */
  private List<String> inputRoots(Configuration hadoopConf) {
    List<String> roots = new java.util.ArrayList<>();
    for (String input : options.inputs()) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(input);
      try {
        String qualified = path.getFileSystem(hadoopConf).makeQualified(path).toString();
        int glob = firstGlobCharacter(qualified);
        roots.add(glob < 0 ? qualified : qualified.substring(0, qualified.lastIndexOf('/', glob)));
      } catch (IOException e) {
        throw new ConfigException("cannot resolve input " + input + ": " + StorageErrors.describe(e), e);
      }
    }
    return roots;
  }

  private static int firstGlobCharacter(String path) {
    for (int i = 0; i < path.length(); i++) {
      if ("*?[{".indexOf(path.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Labels the rows once (a local checkpoint: the table's MERGE may read its source more than once, and must not
   * run the model again), then commits them and the deletions in one commit.
   */
  private LakeTable.Commit commitLake(SparkSession spark, LakeTable lake, Dataset<Row> rows, Dataset<Row> deletions,
                                      String sha256, RunMetrics metrics, long images, String runId) {
    Dataset<Row> labelled;
    if (rows == null) {
      labelled = spark.createDataFrame(List.of(), OutputTable.SCHEMA);
    } else {
      try (ProgressReporter progress = ProgressReporter.logging(metrics.labelledAccumulatorId(), images)) {
        spark.sparkContext().addSparkListener(progress);
        progress.start(PROGRESS_INTERVAL);
        try {
          labelled = rows.localCheckpoint(true);
        } finally {
          spark.sparkContext().removeSparkListener(progress);
        }
        LOG.info("run {}: {}", runId, progress.line(metrics.rowsWritten()));
      }
    }
    LakeTable.Commit commit = lake.commit(labelled, deletions, options.mode(), sha256, runId,
        options.targetFileSize());
    LOG.info("run {}: committed {} {}", runId, lake.name(), commit == null ? "nothing" : commit.snapshot());
    return commit;
  }

  private RunReport.Table lakeReport(LakeTable lake, LakeTable.Commit commit, Work work, long deleted,
                                     long rowsBefore) {
    long updated = options.mode() == Mode.INCREMENTAL ? work.known() : 0;
    long removed = options.mode() == Mode.OVERWRITE ? rowsBefore : deleted;
    return new RunReport.Table(lake.name(), commit == null ? null : commit.snapshot(),
        commit == null ? null : commit.committedAt(), work.count() - updated, updated, removed,
        Math.max(0, rowsBefore - updated - removed), commit == null ? null : commit.query());
  }

  /**
   * The rows still to label, how many there are, their bytes, how many inputs were seen, and how many of the rows
   * replace a row of the table ({@link OutputTable#KNOWN}).
   */
  record Work(Dataset<Row> rows, long count, long bytes, long seen, long known) {
    /** Counted with one Spark job; {@code seen} -1 means: as many as are left. */
    static Work of(Dataset<Row> rows, long seen) {
      boolean hasKnown = List.of(rows.columns()).contains(OutputTable.KNOWN);
      Row sizes = rows.agg(functions.count(lit(1)), sum(col(OutputTable.LENGTH)),
          hasKnown ? functions.count_if(col(OutputTable.KNOWN)) : lit(0L)).first();
      long count = sizes.getLong(0);
      return new Work(rows, count, sizes.isNullAt(1) ? 0 : sizes.getLong(1), seen < 0 ? count : seen,
          sizes.getLong(2));
    }
  }

  /** No files to label; names what --extensions passed over ({@code excluded}, as the listings count it). */
  private ConfigException noFiles(Map<String, Long> excluded) {
    List<String> extensions = options.extensionFilter();
    return new ConfigException("no files under " + String.join(", ", options.inputs())
        + (extensions.isEmpty() ? "" : " with the extensions " + String.join(",", extensions)
        + (excluded == null || excluded.isEmpty() ? "" : "; passed over: " + excluded.entrySet().stream()
            .map(e -> e.getValue() + " ." + e.getKey()).collect(Collectors.joining(", ")))
        + " (see --extensions)"));
  }

  /** Runs the write with progress reporting, after clearing what an interrupted run left behind. */
  private void write(SparkSession spark, OutputTable table, Dataset<Row> rows, RunMetrics metrics, long images,
                     String runId) throws IOException {
    if (table.discardUncommitted(spark.sparkContext().hadoopConfiguration())) {
      LOG.warn("run {}: removed the uncommitted files of an interrupted run from {}/_temporary", runId,
          options.output());
    }
    try (ProgressReporter progress = ProgressReporter.logging(metrics.labelledAccumulatorId(), images)) {
      spark.sparkContext().addSparkListener(progress);
      progress.start(PROGRESS_INTERVAL);
      try {
        table.write(rows, options.mode());
      } finally {
        spark.sparkContext().removeSparkListener(progress);
      }
      LOG.info("run {}: {}", runId, progress.line(metrics.rowsWritten()));
    }
    if (metrics.rowsWritten() != images) {
      LOG.warn("run {}: wrote {} rows for {} images; the report counts the rows written", runId,
          metrics.rowsWritten(), images);
    }
  }

  /** Prints the summary (and rows), and turns the error rate into the exit code. */
  private int finish(Dataset<Row> tableRows, RunReport report, String reportDir) {
    out.print(report.summary(10));
    if (reportDir != null) {
      out.println("  report   " + reportDir + "/" + ReportFiles.JSON + " and " + ReportFiles.PNG);
    }
    if (options.showRows() > 0 && report.counts().rowsWritten() > 0 && tableRows != null) {
      showRows(tableRows, report.runId());
    }
    if (RunReport.STATUS_ERROR_RATE_EXCEEDED.equals(report.status())) {
      err.printf(Locale.ROOT, "error: %.1f%% of this run's %d rows are errors, more than --max-error-rate %s "
              + "allows; the rows are written (see the report)%n", 100 * report.errorRate(),
          report.counts().rowsWritten(), options.maxErrorRate());
      return ExitCode.ERROR_RATE_EXCEEDED;
    }
    return ExitCode.OK;
  }

  /** The classifier of this run; its input column is set where the images are read. */
  private ResNetClassifier classifier(ModelSource model, RunMetrics metrics) {
    return new ResNetClassifier()
        .setOutputCol(PREDICTION)
        .setModelPath(model.path())
        .setBatchSize(options.batchSize())
        .setTopK(options.topK())
        .setOutputEmbeddings(options.embeddings())
        .setDecodeMode(options.decode())
        .setStageTimings(metrics.stages);
  }

  /** The rows to write, in {@link OutputTable#SCHEMA} order. */
  private Dataset<Row> labelledRows(SparkSession spark, Dataset<Row> todo, String payloadColumn, int partitions,
                                    ResNetClassifier classifier, ModelSource model, String sha256, String runId,
                                    RunMetrics metrics) {
    Dataset<Row> images;
    String imageColumn;
    Column readErrorCode;
    Column readErrorMessage;
    if (payloadColumn == null) {
      Broadcast<SerializableConfiguration> conf = JavaSparkContext.fromSparkContext(spark.sparkContext())
          .broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
      Dataset<Row> listed = todo.select(col(OutputTable.PATH), col(OutputTable.MODIFICATION_TIME),
          col(OutputTable.LENGTH));
      images = Partitioning.balancedByBytes(listed, partitions)
          .mapPartitions(new ContentReader(conf, classifier.getMaxImageBytes(),
                  new OverlappedReads.Window(options.readsInFlight(), options.readBytesInFlight()), metrics.readNanos),
              Encoders.row(ContentReader.OUTPUT_SCHEMA));
      imageColumn = ContentReader.CONTENT;
      if (options.inputFormat() == InputFormat.IMAGE) {
        images = InputSource.withSparkImages(images);
        imageColumn = InputSource.IMAGE;
      }
      readErrorCode = col(ContentReader.READ_ERROR_CODE);
      readErrorMessage = col(ContentReader.READ_ERROR_MESSAGE);
    } else {
      // The scan reads the images: partition the scan instead of shuffling them.
      spark.conf().set("spark.sql.files.maxPartitionBytes", Long.toString(options.bytesPerPartition()));
      if (options.partitions() != null) {
        spark.conf().set("spark.sql.files.minPartitionNum", Integer.toString(options.partitions()));
      }
      images = todo;
      imageColumn = payloadColumn;
      readErrorCode = lit(null).cast(DataTypes.StringType);
      readErrorMessage = lit(null).cast(DataTypes.StringType);
    }
    Dataset<Row> predicted = classifier.setInputCol(imageColumn).transform(images);
    List<Column> columns = new ArrayList<>(List.of(
        col(OutputTable.PATH), col(OutputTable.MODIFICATION_TIME), col(OutputTable.LENGTH)));
    for (StructField field : PredictionSchema.TYPE.fields()) {
      Column fromModel = col(PREDICTION + "." + field.name());
      // A file that could not be read has no image: its read error explains the udf's EMPTY.
      Column value = switch (field.name()) {
        case PredictionSchema.ERROR_CODE -> coalesce(readErrorCode, fromModel);
        case PredictionSchema.ERROR_MESSAGE -> coalesce(readErrorMessage, fromModel);
        default -> fromModel;
      };
      columns.add(value.as(field.name()));
    }
    columns.add(lit(model.metadata().architecture()).as(OutputTable.MODEL_ARCH));
    columns.add(lit(sha256).as(OutputTable.MODEL_SHA256));
    columns.add(lit(options.decode()).as(OutputTable.DECODE_MODE));
    columns.add(lit(runId).as(OutputTable.RUN_ID));
    columns.add(current_timestamp().as(OutputTable.PROCESSED_AT));
    // This run's attempt; an incremental run adds the attempts of earlier runs that failed transiently.
    columns.add(lit(1).as(OutputTable.ATTEMPTS));
    LongAccumulator labelled = metrics.labelled;
    return predicted.select(columns.toArray(Column[]::new)).map((MapFunction<Row, Row>) row -> {
      labelled.add(1);
      return row;
    }, Encoders.row(OutputTable.SCHEMA));
  }

  /**
   * The rows passing through the {@link OutputMeter}, which counts them: apply it in the stage that writes (or
   * checkpoints) them, since Spark merges a task's accumulators once per successful task of that stage.
   */
  private static Dataset<Row> metered(Dataset<Row> rows, RunMetrics metrics) {
    return rows.mapPartitions(new OutputMeter(metrics), Encoders.row(OutputTable.SCHEMA));
  }

  private RunReport report(SparkSession spark, String runId, Instant started, long startNanos, ModelSource model,
                           BroadcastModel broadcast, Work work, RunMetrics metrics, int partitions,
                           Map<String, Long> notLabelled, RunReport.Table lakeTable) {
    double wall = (System.nanoTime() - startNanos) / 1e9;
    long written = metrics.rowsWritten();
    long errors = metrics.errorCount();
    double errorRate = written == 0 ? 0 : (double) errors / written;
    String status = work.count() == 0 && (lakeTable == null || lakeTable.rowsDeleted() == 0)
        ? RunReport.STATUS_NOTHING_TO_DO
        : errorRate > options.maxErrorRate() ? RunReport.STATUS_ERROR_RATE_EXCEEDED : RunReport.STATUS_SUCCEEDED;
    Map<String, Long> histogram = new LinkedHashMap<>();
    metrics.labelCounts().entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> histogram.put(e.getKey(), e.getValue()));
    return new RunReport(runId, status, started.toString(), Instant.now().toString(), RunReport.round(wall),
        new RunReport.Input(options.inputs(), options.inputFormat().toString(),
            options.inputFormat().isFiles() ? extensionsForReport() : null, notLabelled),
        new RunReport.Output(options.output(), options.outputFormat().toString(), options.mode().toString(),
            lakeTable),
        new RunReport.Model(model.path(), model.metadata().architecture(), model.metadata().numClasses(),
            broadcast.sha256(), model.weightsDescription(), model.randomWeights(), model.builtForThisRun()),
        new RunReport.Counts(work.seen(), work.seen() - work.count(), written, written - errors, errors,
            metrics.errorCounts()),
        RunReport.round(errorRate), options.maxErrorRate(), broadcast.loadsPerExecutor(),
        RunReport.Executor.of(broadcast.loadsPerExecutor(), broadcast.placements()), partitions,
        new LinkedHashMap<>(driverSeconds),
        RunReport.throughput(written, wall, RunReport.StageNanos.of(metrics),
            options.inputFormat().isFiles() || options.inputFormat() == InputFormat.MANIFEST, options.decode()),
        histogram,
        new RunReport.SparkInfo(spark.version(), spark.sparkContext().master(), spark.sparkContext().applicationId(),
            spark.sparkContext().defaultParallelism()));
  }

  private List<String> extensionsForReport() {
    List<String> extensions = options.extensionFilter();
    return extensions.isEmpty() ? List.of("*") : extensions;
  }

  private void showRows(Dataset<Row> tableRows, String runId) {
    List<Row> rows = tableRows
        .where(col(OutputTable.RUN_ID).equalTo(lit(runId)))
        .select(OutputTable.PATH, OutputTable.LABEL, OutputTable.PROBABILITY, OutputTable.ERROR_CODE)
        .orderBy(OutputTable.PATH)
        .limit(options.showRows())
        .collectAsList();
    out.println();
    out.printf("first %d rows of this run:%n", rows.size());
    out.printf("  %-10s %-28s %s%n", "prob.", "label / error", "path");
    for (Row r : rows) {
      String label = r.isNullAt(3) ? r.getString(1) : "ERROR " + r.getString(3);
      String probability = r.isNullAt(2) ? "" : String.format(Locale.ROOT, "%.4f", r.getFloat(2));
      out.printf("  %-10s %-28s %s%n", probability, label, r.getString(0));
    }
  }

  private long lap(String name, long since) {
    long now = System.nanoTime();
    driverSeconds.merge(name, RunReport.round((now - since) / 1e9), Double::sum);
    return now;
  }

  static String newRunId(Instant at) {
    byte[] suffix = new byte[3];
    ThreadLocalRandom.current().nextBytes(suffix);
    return RUN_ID_TIME.format(at) + "-" + HexFormat.of().formatHex(suffix);
  }

  /** The Spark session of a run: created here (and stopped at the end), or the application's own. */
  private record Session(SparkSession spark, boolean owned) implements AutoCloseable {
    static Session start(JobOptions options, String runId) {
      scala.Option<SparkSession> running = SparkSession.getActiveSession().orElse(SparkSession::getDefaultSession);
      if (running.isDefined() && !running.get().sparkContext().isStopped()) {
        SparkSession spark = running.get();
        if (options.master() != null && !options.master().equals(spark.sparkContext().master())) {
          LOG.warn("--master {} ignored: running in the application's session ({})", options.master(),
              spark.sparkContext().master());
        }
        return new Session(spark, false);
      }
      SparkConf submitted = new SparkConf();
      SparkSession.Builder builder = SparkSession.builder().appName("resnet-spark label-images " + runId);
      // Static settings of the output format (SQL extensions, Delta's catalog): only before the session exists.
      LakeTable.sessionSettings(options.outputFormat(), submitted).forEach(builder::config);
      if (options.master() != null) {
        builder.master(options.master());
      } else if (!submitted.contains("spark.master")) {
        builder.master("local[*]");
      }
      if (!submitted.contains("spark.ui.showConsoleProgress")) {
        builder.config("spark.ui.showConsoleProgress", "true");
      }
      // Version 1 moves task output into place only at job commit, so a killed run leaves nothing visible.
      if (!submitted.contains(COMMITTER_ALGORITHM)) {
        builder.config(COMMITTER_ALGORITHM, "1");
      } else if (!"1".equals(submitted.get(COMMITTER_ALGORITHM))) {
        LOG.warn("{}={}: a failed run may leave part of its rows visible; use 1 (or an S3A committer)",
            COMMITTER_ALGORITHM, submitted.get(COMMITTER_ALGORITHM));
      }
      return new Session(builder.getOrCreate(), true);
    }

    @Override
    public void close() {
      if (owned) {
        spark.stop();
      }
    }
  }
}
