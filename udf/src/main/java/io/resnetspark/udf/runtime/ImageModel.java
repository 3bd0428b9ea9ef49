package io.resnetspark.udf.runtime;

import io.resnetspark.model.runtime.SavedResNet;
import java.nio.FloatBuffer;
import java.util.List;

/** What batch inference needs from a loaded model; {@link ExecutorModel} is the real one. */
public interface ImageModel {
  /** Class names, one per output index. */
  List<String> labels();

  /** Side of the square input images, in pixels. */
  int imageSize();

  /** Runs {@code count} preprocessed images read from {@code pixels} (position to limit). */
  SavedResNet.Prediction predict(FloatBuffer pixels, int count, boolean withEmbeddings);
}
