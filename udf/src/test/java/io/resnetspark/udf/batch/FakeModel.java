package io.resnetspark.udf.batch;

import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.udf.runtime.ImageModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model without TensorFlow for batching tests: 2x2 images, four classes whose "probabilities" are the first four
 * floats of each image, and an embedding equal to its last two floats. An image whose first float is NaN makes any
 * run that contains it fail, as a model error would.
 */
class FakeModel implements ImageModel {
  static final int SIZE = 2;
  static final int FLOATS = SIZE * SIZE * 3;
  final List<Integer> batchSizes = new ArrayList<>();
  final AtomicInteger runs = new AtomicInteger();

  @Override
  public List<String> labels() {
    return List.of("zero", "one", "two", "three");
  }

  @Override
  public int imageSize() {
    return SIZE;
  }

  /** One image whose class probabilities are {@code p} (the rest of it zeros). */
  static float[] image(float... p) {
    float[] pixels = new float[FLOATS];
    System.arraycopy(p, 0, pixels, 0, p.length);
    pixels[FLOATS - 2] = p.length > 0 ? p[0] * 10 : 0;
    pixels[FLOATS - 1] = -1;
    return pixels;
  }

  static FloatBuffer batch(float[]... images) {
    FloatBuffer buffer = FloatBuffer.allocate(images.length * FLOATS + 7);
    for (float[] image : images) {
      buffer.put(image);
    }
    return buffer.clear();
  }

  @Override
  public synchronized SavedResNet.Prediction predict(FloatBuffer pixels, int count, boolean withEmbeddings) {
    runs.incrementAndGet();
    batchSizes.add(count);
    if (pixels.remaining() != count * FLOATS) {
      throw new IllegalArgumentException("expected " + count * FLOATS + " floats, got " + pixels.remaining());
    }
    float[] probabilities = new float[count * 4];
    float[] embeddings = withEmbeddings ? new float[count * 2] : null;
    for (int i = 0; i < count; i++) {
      int base = pixels.position() + i * FLOATS;
      if (Float.isNaN(pixels.get(base))) {
        throw new IllegalStateException("NaN poisons the batch");
      }
      for (int c = 0; c < 4; c++) {
        probabilities[i * 4 + c] = pixels.get(base + c);
      }
      if (embeddings != null) {
        embeddings[i * 2] = pixels.get(base + FLOATS - 2);
        embeddings[i * 2 + 1] = pixels.get(base + FLOATS - 1);
      }
    }
    return new SavedResNet.Prediction(count, 4, probabilities, embeddings);
  }
}
