package io.resnetspark.udf;

import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.batch.BatchPredictor;
import io.resnetspark.udf.batch.DecoderFactory;
import io.resnetspark.udf.batch.ImageColumn;
import io.resnetspark.udf.batch.PixelDecoder;
import io.resnetspark.udf.batch.PreprocessorDecoder;
import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.distribution.ModelBroadcasts;
import io.resnetspark.udf.errors.ImageFailure;
import io.resnetspark.udf.runtime.ExecutorModel;
import io.resnetspark.udf.runtime.ExecutorModelCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;

/**
 * The row-at-a-time function behind {@code classify_image} and {@code image_embedding}: one value (binary, image
 * struct or null) in, one {@link PredictionSchema} struct out, never an exception for a bad image. It shares the
 * executor's model cache with {@link ResNetClassifier} and gives the same struct, but runs one image per model call;
 * for throughput over many images use the Transformer, which batches.
 */
final class ModelUdf implements UDF1<Object, Row> {
  private static final long serialVersionUID = 1L;

  private final BroadcastModel model;
  private final DecoderFactory decoders;
  private final int topK;
  private final boolean withEmbeddings;
  /** What one executor JVM needs to answer calls, set up on the first call. */
  private record Runner(PixelDecoder decoder, BatchPredictor predictor) {
  }

  private transient volatile Runner runner;

  ModelUdf(BroadcastModel model, DecoderFactory decoders, int topK, boolean withEmbeddings) {
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be positive, got " + topK);
    }
    this.model = model;
    this.decoders = decoders;
    this.topK = topK;
    this.withEmbeddings = withEmbeddings;
  }

  /** The function for the model named by the Spark conf of {@code spark} (see {@link ResNetFunctions}). */
  static ModelUdf fromConf(SparkSession spark, boolean withEmbeddings) {
    String path = spark.conf().get(ResNetFunctions.MODEL_PATH_CONF, "");
    if (path.isBlank()) {
      throw new IllegalStateException("set " + ResNetFunctions.MODEL_PATH_CONF
          + " to a SavedModel directory before registering this function");
    }
    int topK = Integer.parseInt(spark.conf().get(ResNetFunctions.TOP_K_CONF,
        String.valueOf(ResNetFunctions.DEFAULT_TOP_K)));
    try {
      return new ModelUdf(ModelBroadcasts.get(spark, path), PreprocessorDecoder.DEFAULT, topK, withEmbeddings);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model at " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Row call(Object value) throws IOException {
    Runner r = runner;
    if (r == null) {
      ExecutorModel loaded = ExecutorModelCache.get(model);
      r = new Runner(decoders.create(loaded.preprocessing()), new BatchPredictor(loaded, topK, withEmbeddings));
      runner = r;
    }
    FloatBuffer pixels = FloatBuffer.allocate(r.decoder().outputSize());
    try {
      ImageColumn.decode(value, r.decoder(), pixels);
    } catch (ImageFailure f) {
      return Prediction.failure(f.code(), f.getMessage()).toRow();
    }
    return r.predictor().predict(pixels.clear(), 1)[0].toRow();
  }
}
