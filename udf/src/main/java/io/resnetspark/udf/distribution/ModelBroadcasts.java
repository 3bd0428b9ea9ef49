package io.resnetspark.udf.distribution;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.SparkSession;

/**
 * Driver side: one {@link BroadcastModel} per model directory and Spark application, so repeated transforms and
 * function registrations ship a model once. A directory whose listing (names, sizes, modification times) changed
 * since it was broadcast is packed again.
 */
public final class ModelBroadcasts {
  /** Size of the broadcast chunks (e.g. {@code 64m}, the default; at most {@code 1g}). */
  public static final String CHUNK_BYTES_CONF = "spark.resnet.broadcastChunkBytes";
  private static final long MAX_CHUNK_BYTES = 1L << 30;
  private static final Map<SparkContext, Map<String, BroadcastModel>> BY_CONTEXT = new WeakHashMap<>();

  private ModelBroadcasts() {
  }

  /**
   * The broadcast of the SavedModel at {@code modelPath} (any Hadoop path) for {@code spark}'s application.
   *
   * @throws IOException if the path is missing, not a SavedModel directory or unreadable
   */
  public static synchronized BroadcastModel get(SparkSession spark, String modelPath) throws IOException {
    SparkContext sc = spark.sparkContext();
    String key = ModelPackage.fingerprint(modelPath, sc.hadoopConfiguration());
    Map<String, BroadcastModel> models = BY_CONTEXT.computeIfAbsent(sc, k -> new HashMap<>());
    BroadcastModel model = models.get(key);
    if (model == null) {
      long configured = JavaUtils.byteStringAsBytes(
          spark.conf().get(CHUNK_BYTES_CONF, String.valueOf(ModelPackage.DEFAULT_CHUNK_BYTES)));
      if (configured < 1 || configured > MAX_CHUNK_BYTES) {
        throw new IllegalArgumentException(CHUNK_BYTES_CONF + " must be between 1 byte and 1g, got " + configured);
      }
      int chunkBytes = (int) configured;
      model = BroadcastModel.create(spark, modelPath, chunkBytes);
      models.put(key, model);
    }
    return model;
  }
}
