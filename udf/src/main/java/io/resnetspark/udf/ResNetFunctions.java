package io.resnetspark.udf;

import io.resnetspark.udf.batch.PreprocessorDecoder;
import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.distribution.ModelBroadcasts;
import java.io.IOException;
import org.apache.spark.sql.SparkSession;

/**
 * Registers the SQL functions of a model in one call:
 *
 * <pre>
 * ResNetFunctions.register(spark, "s3a://models/resnet50");
 * spark.sql("SELECT path, classify_image(content).label FROM images");
 * </pre>
 *
 * <ul>
 *   <li>{@code classify_image(image)}: the {@link PredictionSchema} struct, {@code embedding} null;</li>
 *   <li>{@code image_embedding(image)}: the same struct with {@code embedding} filled.</li>
 * </ul>
 *
 * {@code image} is a binary column (encoded bytes) or an image struct of the {@code image} data source. Both run
 * one image per model call; {@link ResNetClassifier} batches. Registering again replaces the functions.
 */
public final class ResNetFunctions {
  public static final String CLASSIFY_IMAGE = "classify_image";
  public static final String IMAGE_EMBEDDING = "image_embedding";
  /** Model directory read by {@link ClassifyImageUdf} and {@link ImageEmbeddingUdf}. */
  public static final String MODEL_PATH_CONF = "spark.resnet.modelPath";
  /** Length of {@code top_k} for those classes; default 5. */
  public static final String TOP_K_CONF = "spark.resnet.topK";
  public static final int DEFAULT_TOP_K = 5;

  private ResNetFunctions() {
  }

  public static void register(SparkSession spark, String modelPath) throws IOException {
    register(spark, modelPath, DEFAULT_TOP_K);
  }

  /** Registers both functions for the SavedModel at {@code modelPath}, listing {@code topK} classes per image. */
  public static void register(SparkSession spark, String modelPath, int topK) throws IOException {
    BroadcastModel model = ModelBroadcasts.get(spark, modelPath);
    spark.udf().register(CLASSIFY_IMAGE, new ModelUdf(model, PreprocessorDecoder.DEFAULT, topK, false), PredictionSchema.TYPE);
    spark.udf().register(IMAGE_EMBEDDING, new ModelUdf(model, PreprocessorDecoder.DEFAULT, topK, true), PredictionSchema.TYPE);
  }
}
