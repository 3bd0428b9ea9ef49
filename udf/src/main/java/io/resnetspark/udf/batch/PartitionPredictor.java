package io.resnetspark.udf.batch;

import io.resnetspark.udf.ResNetClassifier;
import io.resnetspark.udf.StageTimings;
import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.runtime.DecodePool;
import io.resnetspark.udf.runtime.ExecutorModel;
import io.resnetspark.udf.runtime.ExecutorModelCache;
import java.util.Collections;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The task function of {@link ResNetClassifier}: gets this JVM's loaded model, then streams the partition through
 * {@link PrefetchingPredictions}, which decodes on the executor's shared {@link DecodePool}. An empty partition
 * never loads the model.
 */
public final class PartitionPredictor implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final BroadcastModel model;
  private final DecoderFactory decoders;
  private final int column;
  private final int batchSize;
  private final int topK;
  private final boolean withEmbeddings;
  private final StageTimings timings;

  public PartitionPredictor(BroadcastModel model, DecoderFactory decoders, int column, int batchSize, int topK,
                     boolean withEmbeddings, StageTimings timings) {
    this.model = model;
    this.decoders = decoders;
    this.column = column;
    this.batchSize = batchSize;
    this.topK = topK;
    this.withEmbeddings = withEmbeddings;
    this.timings = timings;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) throws Exception {
    if (!input.hasNext()) {
      return Collections.emptyIterator();
    }
    ExecutorModel loaded = ExecutorModelCache.get(model);
    PixelDecoder decoder = decoders.create(loaded.preprocessing());
    BatchPredictor predictor = new BatchPredictor(loaded, topK, withEmbeddings);
    TaskContext task = TaskContext.get();
    PrefetchingPredictions rows = new PrefetchingPredictions(input, column, decoder, DecodePool.forCurrentExecutor(),
        predictor, batchSize, task, timings);
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> rows.close());
    }
    return rows;
  }
}
