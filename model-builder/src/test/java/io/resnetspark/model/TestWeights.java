package io.resnetspark.model;

import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.TensorData;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Weights and inputs for tests that must notice a swapped or ignored batch-norm statistic. */
public final class TestWeights {
  private TestWeights() {
  }

  /**
   * torchvision's random initialisation, with every batch-norm weight, bias, running mean and running variance
   * moved far from its default (1, 0, 0, 1), so that using the wrong one changes the logits.
   */
  public static StateDict withBatchNormFarFromDefaults(Architecture arch, int numClasses, long seed) {
    StateDict base = RandomWeights.create(arch, numClasses, seed);
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (ParameterSpec p : arch.parameters(numClasses)) {
      TensorData t = base.get(p.name());
      float[] v = t.data().clone();
      for (int i = 0; i < v.length; i++) {
        switch (p.kind()) {
          case BN_WEIGHT -> v[i] = (float) random.nextDouble(0.4, 1.2);
          case BN_BIAS -> v[i] = (float) random.nextDouble(-0.3, 0.3);
          case BN_RUNNING_MEAN -> v[i] = (float) random.nextDouble(-0.5, 0.5);
          case BN_RUNNING_VAR -> v[i] = (float) random.nextDouble(0.5, 2.5);
          default -> { }
        }
      }
      out.put(p.name(), new TensorData(t.shape(), v));
    }
    return new StateDict(out);
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
