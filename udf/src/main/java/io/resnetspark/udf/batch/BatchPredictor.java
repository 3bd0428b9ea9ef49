package io.resnetspark.udf.batch;

import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.udf.PredictionSchema.Entry;
import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.runtime.ImageModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch of preprocessed images through a model and turns the probabilities into per-image predictions. If
 * the model fails on a batch, each image is retried on its own, so one image that breaks the model costs only its
 * own row ({@link ErrorCode#MODEL_ERROR}).
 */
public final class BatchPredictor {
  private static final Logger LOG = LoggerFactory.getLogger(BatchPredictor.class);
  private final ImageModel model;
  private final int topK;
  private final boolean withEmbeddings;
  private final int imageFloats;

  public BatchPredictor(ImageModel model, int topK, boolean withEmbeddings) {
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be positive, got " + topK);
    }
    this.model = model;
    this.topK = topK;
    this.withEmbeddings = withEmbeddings;
    this.imageFloats = model.imageSize() * model.imageSize() * 3;
  }

  /** Floats one preprocessed image takes. */
  int imageFloats() {
    return imageFloats;
  }

  /** Predictions for the {@code count} images stored from index 0 of {@code pixels}, in order. */
  public Prediction[] predict(FloatBuffer pixels, int count) {
    if (count == 0) {
      return new Prediction[0];
    }
    try {
      return toPredictions(model.predict(slice(pixels, 0, count), count, withEmbeddings));
    } catch (RuntimeException batchFailure) {
      if (count == 1) {
        return new Prediction[] {modelError(batchFailure)};
      }
      LOG.warn("model failed on a batch of {} images; retrying each alone", count, batchFailure);
      Prediction[] out = new Prediction[count];
      for (int i = 0; i < count; i++) {
        try {
          out[i] = toPredictions(model.predict(slice(pixels, i, 1), 1, withEmbeddings))[0];
        } catch (RuntimeException e) {
          out[i] = modelError(e);
        }
      }
      return out;
    }
  }

  private FloatBuffer slice(FloatBuffer pixels, int first, int count) {
    return pixels.duplicate().limit((first + count) * imageFloats).position(first * imageFloats).slice();
  }

  private static Prediction modelError(RuntimeException e) {
    return Prediction.failure(ErrorCode.MODEL_ERROR, "model failed on this image: " + e.getMessage());
  }

  private Prediction[] toPredictions(SavedResNet.Prediction result) {
    List<String> labels = model.labels();
    Prediction[] out = new Prediction[result.batch()];
    int dim = result.embeddings() == null ? 0 : result.embeddings().length / result.batch();
    for (int i = 0; i < out.length; i++) {
      List<Entry> top = topK(result.probabilities(), i * result.classes(), result.classes(), topK, labels);
      float[] embedding = result.embeddings() == null ? null
          : Arrays.copyOfRange(result.embeddings(), i * dim, (i + 1) * dim);
      out[i] = new Prediction(top, embedding, null, null);
    }
    return out;
  }

  /**
   * The {@code k} most probable classes of one image whose {@code classes} probabilities start at {@code offset},
   * most probable first; equal probabilities keep index order. {@code k} beyond the class count gives all classes.
   */
  static List<Entry> topK(float[] probabilities, int offset, int classes, int k, List<String> labels) {
    Integer[] order = new Integer[classes];
    for (int c = 0; c < classes; c++) {
      order[c] = c;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer c) -> probabilities[offset + c]).reversed()
        .thenComparingInt(c -> c));
    int n = Math.min(k, classes);
    List<Entry> top = new ArrayList<>(n);
    for (int j = 0; j < n; j++) {
      int c = order[j];
      top.add(new Entry(c, labels.get(c), probabilities[offset + c]));
    }
    return top;
  }
}
