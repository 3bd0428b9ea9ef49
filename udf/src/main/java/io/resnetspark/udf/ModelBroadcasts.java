package io.resnetspark.udf;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Driver side: one {@link BroadcastModel} per model directory and Spark application, so repeated transforms and
 * function registrations ship a model once. A directory whose listing (names, sizes, modification times) changed
 * since it was broadcast is packed again.
 */
public final class ModelBroadcasts {
  /** Size of the broadcast chunks; see {@link ModelPackage#DEFAULT_CHUNK_BYTES}. */
  public static final String CHUNK_BYTES_CONF = "spark.resnet.broadcastChunkBytes";
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
    String key = modelPath + "\n" + ModelPackage.fingerprint(modelPath, sc.hadoopConfiguration());
    Map<String, BroadcastModel> models = BY_CONTEXT.computeIfAbsent(sc, k -> new HashMap<>());
    BroadcastModel model = models.get(key);
    if (model == null) {
      int chunkBytes = (int) Math.min(Integer.MAX_VALUE - 64,
          sc.getConf().getSizeAsBytes(CHUNK_BYTES_CONF, String.valueOf(ModelPackage.DEFAULT_CHUNK_BYTES)));
      model = BroadcastModel.create(spark, modelPath, chunkBytes);
      models.put(key, model);
    }
    return model;
  }
}
