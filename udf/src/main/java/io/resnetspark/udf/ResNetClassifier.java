package io.resnetspark.udf;

import io.resnetspark.udf.batch.ImageColumn;
import io.resnetspark.udf.batch.PartitionPredictor;
import io.resnetspark.udf.batch.PreprocessorDecoder;
import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.distribution.ModelBroadcasts;
import io.resnetspark.udf.image.DecodeMode;
import io.resnetspark.udf.image.ImageLimits;
import io.resnetspark.udf.runtime.ExecutorModelCache;
import io.resnetspark.udf.runtime.SessionSettings;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Function1;

/**
 * Spark ML Transformer that classifies images with a resnet-spark SavedModel: appends to each row a
 * {@link PredictionSchema} struct in {@code outputCol}, exactly one per input row and in input order, whatever the
 * image. Inference is batched per partition ({@code batchSize}) and the next batch is decoded while the current one
 * runs. The model is read from {@code modelPath} (any Hadoop path) on the driver when {@link #transform} is called
 * and broadcast once per application; each executor JVM loads it once.
 *
 * <p>{@code inputCol} holds encoded image bytes ({@code spark.read.format("binaryFile")}'s {@code content}) or the
 * image struct of {@code spark.read.format("image")}, whose BGR pixels are converted to the model's RGB.
 *
 * <p>Saved and loaded like any ML stage ({@code save(path)}, {@link #load(String)}), so it can sit in a
 * {@link org.apache.spark.ml.Pipeline}.
 */
public final class ResNetClassifier extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  /** Key of the output column's metadata that records the {@link #decodeMode} its rows were decoded with. */
  public static final String DECODE_MODE_METADATA_KEY = "decode_mode";

  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> modelPath;
  private final IntParam batchSize;
  private final IntParam topK;
  private final BooleanParam outputEmbeddings;
  private final LongParam maxImageBytes;
  private final Param<String> decodeMode;
  /** Not a Param: accumulators belong to one SparkContext, so they are neither saved nor loaded with the stage. */
  private StageTimings stageTimings;

  public ResNetClassifier() {
    this(Identifiable$.MODULE$.randomUID("resnetClassifier"));
  }

  /** The constructor {@link DefaultParamsReadable} calls when loading a saved stage. */
  public ResNetClassifier(String uid) {
    this.uid = uid;
    // Serializable like Spark's own validators: stages travel inside closures and saved pipelines.
    Function1<String, Object> nonBlank = (Function1<String, Object> & Serializable) s -> s != null && !s.isBlank();
    inputCol = new Param<>(this, "inputCol",
        "image column: binary (binaryFile's content) or an image struct (the image data source's image)", nonBlank);
    outputCol = new Param<>(this, "outputCol", "name of the prediction struct column to add", nonBlank);
    modelPath = new Param<>(this, "modelPath",
        "directory of a resnet-spark SavedModel, any Hadoop path (file:, hdfs:, s3a:)", nonBlank);
    batchSize = new IntParam(this, "batchSize", "images per model run (> 0)", ParamValidators.gt(0));
    topK = new IntParam(this, "topK", "classes listed per image in top_k, most probable first (> 0)",
        ParamValidators.gt(0));
    outputEmbeddings = new BooleanParam(this, "outputEmbeddings",
        "whether to fill the embedding field with the pooled features");
    maxImageBytes = new LongParam(this, "maxImageBytes",
        "largest encoded image accepted, in bytes (> 0); larger ones get TOO_LARGE without being decoded",
        ParamValidators.gt(0));
    decodeMode = new Param<>(this, "decodeMode",
        "how JPEGs are decoded: exact (torchvision's tensor bit for bit) or reduced (libjpeg's DCT-domain "
            + "downscaling to the smallest scale covering the resize: several times faster on large photos, close "
            + "to but not equal to torchvision)",
        ParamValidators.inArray(DecodeMode.idArray()));
    setDefault(inputCol, "content");
    setDefault(outputCol, "prediction");
    setDefault(batchSize, 32);
    setDefault(topK, 5);
    setDefault(outputEmbeddings, false);
    setDefault(maxImageBytes, ImageLimits.DEFAULT_MAX_BYTES);
    setDefault(decodeMode, DecodeMode.EXACT.id());
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public IntParam topK() {
    return topK;
  }

  public BooleanParam outputEmbeddings() {
    return outputEmbeddings;
  }

  public LongParam maxImageBytes() {
    return maxImageBytes;
  }

  public String getInputCol() {
    return $(inputCol);
  }

  public ResNetClassifier setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public String getOutputCol() {
    return $(outputCol);
  }

  public ResNetClassifier setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  public ResNetClassifier setModelPath(String value) {
    set(modelPath, value);
    return this;
  }

  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  public ResNetClassifier setBatchSize(int value) {
    set(batchSize, value);
    return this;
  }

  public int getTopK() {
    return (Integer) $(topK);
  }

  public ResNetClassifier setTopK(int value) {
    set(topK, value);
    return this;
  }

  public boolean getOutputEmbeddings() {
    return (Boolean) $(outputEmbeddings);
  }

  public ResNetClassifier setOutputEmbeddings(boolean value) {
    set(outputEmbeddings, value);
    return this;
  }

  public long getMaxImageBytes() {
    return (Long) $(maxImageBytes);
  }

  public ResNetClassifier setMaxImageBytes(long value) {
    set(maxImageBytes, value);
    return this;
  }

  public Param<String> decodeMode() {
    return decodeMode;
  }

  public String getDecodeMode() {
    return $(decodeMode);
  }

  /** "exact" (the default) or "reduced"; see {@link DecodeMode}. */
  public ResNetClassifier setDecodeMode(String value) {
    set(decodeMode, value);
    return this;
  }

  public StageTimings getStageTimings() {
    return stageTimings;
  }

  /**
   * Where the tasks of the next {@link #transform} results book their read+decode and inference times (null: not
   * measured). The times are booked when the result is computed, once per successful task.
   */
  public ResNetClassifier setStageTimings(StageTimings value) {
    stageTimings = value;
    return this;
  }

  /**
   * Checks the input and returns it with {@code outputCol} added.
   *
   * @throws IllegalArgumentException naming the column: the input column is missing or has a type that holds no
   *     images, the output column already exists, or no model path is set
   */
  @Override
  public StructType transformSchema(StructType schema) {
    if (!isDefined(modelPath)) {
      throw new IllegalArgumentException("modelPath is not set; call setModelPath with a SavedModel directory");
    }
    String in = getInputCol();
    String out = getOutputCol();
    if (!Arrays.asList(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException("input column '" + in + "' does not exist; the columns are "
          + String.join(", ", schema.fieldNames()));
    }
    ImageColumn.of(in, schema.apply(in).dataType());
    if (Arrays.asList(schema.fieldNames()).contains(out)) {
      throw new IllegalArgumentException("output column '" + out + "' already exists; choose another outputCol");
    }
    // The decode mode travels with the column, so a table written from both modes is visibly mixed.
    Metadata metadata = new MetadataBuilder().putString(DECODE_MODE_METADATA_KEY, getDecodeMode()).build();
    return schema.add(new StructField(out, PredictionSchema.TYPE, false, metadata));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType output = transformSchema(dataset.schema(), true);
    BroadcastModel model;
    try {
      model = ModelBroadcasts.get(dataset.sparkSession(), getModelPath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model at " + getModelPath() + ": " + e.getMessage(), e);
    }
    // Checked here so that a bad value fails on the driver, not in every task.
    SessionSettings.decodeThreads(dataset.sparkSession().sparkContext().getConf());
    int column = dataset.schema().fieldIndex(getInputCol());
    ImageLimits limits = new ImageLimits(ImageLimits.DEFAULT_MAX_PIXELS, getMaxImageBytes());
    PartitionPredictor predictor = new PartitionPredictor(model,
        PreprocessorDecoder.withLimits(limits, DecodeMode.of(getDecodeMode())), column,
        getBatchSize(), getTopK(), getOutputEmbeddings(), stageTimings);
    // mapPartitions keeps the encoder's types but not its metadata: put the decode mode back on the column.
    return dataset.toDF().mapPartitions(predictor, Encoders.row(output))
        .withMetadata(getOutputCol(), output.apply(getOutputCol()).metadata());
  }

  /**
   * In local mode the driver JVM is also the executor: starts broadcasting and loading the model in the background
   * now, so that it is ready when the first batch is decoded instead of delaying it; a model that cannot be read
   * fails in {@link #transform}, not here. Does nothing on a cluster (each executor loads
   * on first use), nor when tasks are given GPUs (the warm-up thread has no GPU assigned and would place the model
   * on the CPU).
   *
   * @return whether a warm-up was started
   */
  public boolean warmUpLocalModel(SparkSession spark) {
    if (!warmsUpLocally(spark.sparkContext().isLocal(), spark.sparkContext().getConf())) {
      return false;
    }
    String path = getModelPath();
    ExecutorModelCache.warmUp(() -> ModelBroadcasts.get(spark, path), getOutputEmbeddings());
    return true;
  }

  static boolean warmsUpLocally(boolean local, SparkConf conf) {
    return local && !conf.contains("spark.task.resource." + SessionSettings.GPU_RESOURCE + ".amount");
  }

  @Override
  public ResNetClassifier copy(ParamMap extra) {
    return ((ResNetClassifier) defaultCopy(extra)).setStageTimings(stageTimings);
  }

  public static MLReader<ResNetClassifier> read() {
    return new DefaultParamsReadable<ResNetClassifier>() {
    }.read();
  }

  public static ResNetClassifier load(String path) {
    return read().load(path);
  }
}
