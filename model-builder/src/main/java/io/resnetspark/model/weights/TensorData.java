package io.resnetspark.model.weights;

import java.util.Arrays;

/**
 * A float32 tensor in PyTorch's layout (row-major over {@code shape}: OIHW for convolutions, [out, in] for fc).
 * Checkpoint readers produce these; the graph builder converts the layout once when it makes a constant.
 */
public record TensorData(long[] shape, float[] data) {

  public TensorData {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
  }

  public long elementCount() {
    return data.length;
  }

  public boolean hasShape(long[] expected) {
    return Arrays.equals(shape, expected);
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorData t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "TensorData" + Arrays.toString(shape);
  }
}
