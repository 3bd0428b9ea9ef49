package io.resnetspark.model.graph;

import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.TensorData;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Turns state_dict entries into graph constants named after their torchvision keys, converting PyTorch's layouts to
 * TensorFlow's on the way (convolution OIHW to HWIO, fc [out, in] to [in, out]). Constants rather than variables:
 * oneDNN then converts each filter to its blocked layout once instead of on every run (see docs/BENCHMARKS.md).
 */
public final class WeightOperands {
  private WeightOperands() {
  }

  /** A convolution kernel, HWIO, as {@code tf.nn.conv2d} wants it. */
  public static Operand<TFloat32> convKernel(Ops tf, StateDict weights, String key) {
    return convKernel(tf, key, weights.get(key));
  }

  /** A convolution kernel given in PyTorch's OIHW layout, as an HWIO constant named {@code name}. */
  public static Operand<TFloat32> convKernel(Ops tf, String name, TensorData oihw) {
    requireRank(oihw, 4, name);
    return constant(tf, name, oihwToHwio(oihw));
  }

  /** The fc matrix, [in, out], so that {@code matMul(features, w)} is PyTorch's {@code x @ W.T}. */
  public static Operand<TFloat32> fcMatrix(Ops tf, StateDict weights, String key) {
    TensorData t = weights.get(key);
    requireRank(t, 2, key);
    return constant(tf, key, transpose2d(t));
  }

  /** A per-channel vector (batch-norm parameters and statistics, biases). */
  public static Operand<TFloat32> vector(Ops tf, StateDict weights, String key) {
    TensorData t = weights.get(key);
    requireRank(t, 1, key);
    return constant(tf, key, t);
  }

  /** A constant holding {@code t} (already in TF layout), named {@code name}. */
  public static Operand<TFloat32> constant(Ops tf, String name, TensorData t) {
    try (TFloat32 tensor = TFloat32.tensorOf(Shape.of(t.shape()), DataBuffers.of(t.data(), true, false))) {
      return tf.withName(name).constantOf(tensor);
    }
  }

  static TensorData oihwToHwio(TensorData t) {
    long[] s = t.shape();
    int o = (int) s[0];
    int i = (int) s[1];
    int h = (int) s[2];
    int w = (int) s[3];
    float[] src = t.data();
    float[] dst = new float[src.length];
    for (int oo = 0; oo < o; oo++) {
      for (int ii = 0; ii < i; ii++) {
        for (int hh = 0; hh < h; hh++) {
          for (int ww = 0; ww < w; ww++) {
            dst[((hh * w + ww) * i + ii) * o + oo] = src[((oo * i + ii) * h + hh) * w + ww];
          }
        }
      }
    }
    return new TensorData(new long[] {h, w, i, o}, dst);
  }

  static TensorData transpose2d(TensorData t) {
    int rows = (int) t.shape()[0];
    int cols = (int) t.shape()[1];
    float[] src = t.data();
    float[] dst = new float[src.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[c * rows + r] = src[r * cols + c];
      }
    }
    return new TensorData(new long[] {cols, rows}, dst);
  }

  private static void requireRank(TensorData t, int rank, String key) {
    if (t.shape().length != rank) {
      throw new IllegalArgumentException(
          "'" + key + "' should have rank " + rank + " but has shape " + t.shapeString());
    }
  }
}
