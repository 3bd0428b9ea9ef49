package io.resnetspark.udf.distribution;

import io.resnetspark.udf.runtime.ExecutorModelCache;
import io.resnetspark.udf.runtime.ModelPlacement;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

/**
 * A SavedModel shipped to the executors: its content digest, its manifest and one Spark broadcast per chunk, so no
 * single array or serialized object ever holds the whole model. Executors get a loaded model from it through
 * {@link ExecutorModelCache#get}. Serializable: capture it in task closures, not the loaded model.
 */
public final class BroadcastModel implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String sha256;
  private final ModelManifest manifest;
  private final List<Broadcast<byte[]>> chunks;
  private final CollectionAccumulator<ModelPlacement> loads;

  private BroadcastModel(String source, String sha256, ModelManifest manifest, List<Broadcast<byte[]>> chunks,
                         CollectionAccumulator<ModelPlacement> loads) {
    this.source = source;
    this.sha256 = sha256;
    this.manifest = manifest;
    this.chunks = List.copyOf(chunks);
    this.loads = loads;
  }

  /** Reads, packs and broadcasts the SavedModel at {@code modelPath} in chunks of {@code chunkBytes}. */
  public static BroadcastModel create(SparkSession spark, String modelPath, int chunkBytes) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Broadcast<byte[]>> chunks = new ArrayList<>();
    ChunkingOutputStream.ChunkSink sink = (index, chunk) -> chunks.add(jsc.broadcast(chunk));
    return create(spark, modelPath, chunkBytes, sink, chunks);
  }

  /** As {@link #create(SparkSession, String, int)}, with the chunks passing through {@code sink} (tests). */
  public static BroadcastModel create(SparkSession spark, String modelPath, int chunkBytes,
                               ChunkingOutputStream.ChunkSink sink, List<Broadcast<byte[]>> chunks)
      throws IOException {
    ModelPackage.Packed packed;
    try {
      packed = ModelPackage.pack(modelPath, spark.sparkContext().hadoopConfiguration(), chunkBytes, sink);
    } catch (IOException | RuntimeException e) {
      chunks.forEach(b -> b.destroy());
      throw e;
    }
    CollectionAccumulator<ModelPlacement> loads = spark.sparkContext()
        .collectionAccumulator("resnet-spark model loads " + packed.sha256().substring(0, 12));
    return new BroadcastModel(packed.source(), packed.sha256(), packed.manifest(), chunks, loads);
  }

  /** Where the model was read from, for messages. */
  public String source() {
    return source;
  }

  /** SHA-256 of the model's content (see {@link ModelDigest}); executors cache loaded models by it. */
  public String sha256() {
    return sha256;
  }

  public ModelManifest manifest() {
    return manifest;
  }

  public int chunkCount() {
    return chunks.size();
  }

  /**
   * Spark's ids of the chunk broadcasts, in chunk order: their blocks ({@code broadcast_<id>_piece<n>}) are how the
   * model travels to executors, which Spark's block-update events make visible.
   */
  public List<Long> broadcastIds() {
    return chunks.stream().map(Broadcast::id).toList();
  }

  /** The chunks in order, each fetched from the broadcast only when reached. */
  public Iterator<byte[]> chunkValues() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < chunks.size();
      }

      @Override
      public byte[] next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return chunks.get(next++).value();
      }
    };
  }

  /** Called once per executor JVM that loads this model, from inside the task that loaded it. */
  public void recordLoad(ModelPlacement placement) {
    loads.add(placement);
  }

  /**
   * On the driver: how many times each executor JVM loaded this model, as counted by successful tasks (keys are
   * {@code executorId/pid@host}). One load per JVM is the design; any value above 1 is a bug.
   */
  public Map<String, Long> loadsPerExecutor() {
    Map<String, Long> counts = new TreeMap<>();
    for (ModelPlacement load : loads.value()) {
      counts.merge(load.executor(), 1L, Long::sum);
    }
    return counts;
  }

  /**
   * On the driver: where each executor JVM that loaded this model runs it (the GPU Spark assigned, the devices
   * TensorFlow used, why a GPU was not used), keyed like {@link #loadsPerExecutor()}. An executor that loaded the
   * model more than once (after an eviction) shows its last load.
   */
  public Map<String, ModelPlacement> placements() {
    Map<String, ModelPlacement> byExecutor = new TreeMap<>();
    for (ModelPlacement load : loads.value()) {
      byExecutor.put(load.executor(), load);
    }
    return byExecutor;
  }

  /**
   * Frees the chunk copies that executors keep after unpacking (they are not needed once a model is loaded); an
   * executor that loads the model later fetches them again from the driver.
   */
  public void unpersist() {
    chunks.forEach(b -> b.unpersist(false));
  }

  /** Frees the chunks everywhere, the driver included; the handle cannot be used afterwards. */
  public void destroy() {
    chunks.forEach(b -> b.destroy());
  }

  @Override
  public String toString() {
    return "BroadcastModel[" + source + ", sha256=" + sha256 + ", " + manifest.totalBytes() + " bytes in "
        + chunks.size() + " chunks]";
  }
}
