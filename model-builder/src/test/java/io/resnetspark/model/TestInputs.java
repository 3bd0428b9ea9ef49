package io.resnetspark.model;

import java.nio.FloatBuffer;

/** Inputs for tests of the network: a smooth batch and its reference layout. */
public final class TestInputs {
  private TestInputs() {
  }

  /** A smooth, deterministic NHWC batch in the range of normalised images. */
  public static FloatBuffer images(int batch, int height, int width) {
    FloatBuffer b = FloatBuffer.allocate(batch * height * width * 3);
    for (int i = 0; i < b.capacity(); i++) {
      b.put(i, (float) (2 * Math.sin(i * 0.0137 + (i % 3)) * Math.cos(i * 0.00071)));
    }
    return b;
  }

  /** Image {@code n} of an NHWC batch as the reference's CHW map. */
  public static ReferenceResNet.Map3 chw(FloatBuffer nhwc, int n, int height, int width) {
    double[] v = new double[3 * height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          v[(c * height + y) * width + x] = nhwc.get(((n * height + y) * width + x) * 3 + c);
        }
      }
    }
    return new ReferenceResNet.Map3(3, height, width, v);
  }
}
