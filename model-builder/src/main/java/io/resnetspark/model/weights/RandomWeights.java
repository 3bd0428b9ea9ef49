package io.resnetspark.model.weights;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ParameterSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * torchvision's initialisation, reproducible from a seed, so every architecture can be built without a download:
 * convolutions Kaiming-normal (fan_out, ReLU gain), batch-norm weight 1 and bias 0 with running statistics 0 and 1,
 * fc as {@code nn.Linear}'s default, uniform in +-1/sqrt(in_features).
 */
public final class RandomWeights {
  private RandomWeights() {
  }

  public static StateDict create(Architecture arch, int numClasses, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (ParameterSpec p : arch.parameters(numClasses)) {
      tensors.put(p.name(), new TensorData(p.shape(), values(p, arch.featureDim(), random.split())));
    }
    return new StateDict(tensors);
  }

  /**
   * As {@link #create}, with every batch-norm weight, bias, running mean and running variance moved far from its
   * default (1, 0, 0, 1): a stand-in for a trained checkpoint where a swapped or ignored statistic, or an input
   * that moves the features, must show in the output.
   */
  public static StateDict withBatchNormFarFromDefaults(Architecture arch, int numClasses, long seed) {
    StateDict base = create(arch, numClasses, seed);
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

  private static float[] values(ParameterSpec p, int fcInFeatures, SplittableRandom random) {
    float[] v = new float[Math.toIntExact(p.elementCount())];
    long[] s = p.shape();
    switch (p.kind()) {
      case CONV_WEIGHT -> {
        double std = Math.sqrt(2.0 / (s[0] * s[2] * s[3]));
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (gaussian(random) * std);
        }
      }
      case BN_WEIGHT, BN_RUNNING_VAR -> Arrays.fill(v, 1f);
      case BN_BIAS, BN_RUNNING_MEAN -> { }
      case FC_WEIGHT, FC_BIAS -> {
        // weight and bias bounds both come from fc's in_features, as in nn.Linear.reset_parameters
        double bound = 1.0 / Math.sqrt(fcInFeatures);
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
      }
      default -> throw new IllegalStateException("no initialiser for " + p.kind());
    }
    return v;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17
    double u1 = random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
  }
}
