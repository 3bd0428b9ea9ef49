package io.resnetspark.model.graph;

import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.TensorData;

/**
 * Folds an inference-mode BatchNorm2d into the bias-free convolution before it, as PyTorch's
 * {@code fuse_conv_bn_eval} does: with {@code s = gamma / sqrt(running_var + eps)} per output channel, the
 * convolution's kernel becomes {@code W * s} and a bias {@code beta - running_mean * s} follows it. The graph then
 * runs no normalisation at all, and grappler can fuse Conv2D + BiasAdd (+ Add) + Relu into one kernel.
 * The arithmetic is done in double and rounded once, so the folded network equals the unfolded one to float
 * rounding.
 */
public final class BatchNormFolding {
  private BatchNormFolding() {
  }

  /** A folded convolution: its kernel in PyTorch's OIHW layout and its per-output-channel bias. */
  public record Folded(TensorData kernel, TensorData bias) {
  }

  /** Folds {@code bnKey}'s statistics and affine parameters into {@code convKey}'s weight. */
  public static Folded fold(StateDict weights, String convKey, String bnKey, double epsilon) {
    return fold(weights.get(convKey + ".weight"),
        weights.get(bnKey + ".weight").data(),
        weights.get(bnKey + ".bias").data(),
        weights.get(bnKey + ".running_mean").data(),
        weights.get(bnKey + ".running_var").data(),
        epsilon);
  }

  /** Folds per-channel batch-norm parameters into an OIHW kernel (O = number of channels). */
  public static Folded fold(TensorData kernel, float[] gamma, float[] beta, float[] mean, float[] variance,
                            double epsilon) {
    long[] shape = kernel.shape();
    int out = (int) shape[0];
    if (gamma.length != out || beta.length != out || mean.length != out || variance.length != out) {
      throw new IllegalArgumentException("batch norm has " + gamma.length + " channels but the kernel "
          + kernel.shapeString() + " has " + out + " outputs");
    }
    float[] src = kernel.data();
    float[] folded = new float[src.length];
    float[] bias = new float[out];
    int perOutput = src.length / out;
    for (int o = 0; o < out; o++) {
      double scale = gamma[o] / Math.sqrt((double) variance[o] + epsilon);
      for (int i = o * perOutput; i < (o + 1) * perOutput; i++) {
        folded[i] = (float) (src[i] * scale);
      }
      bias[o] = (float) (beta[o] - mean[o] * scale);
    }
    return new Folded(new TensorData(shape.clone(), folded), new TensorData(new long[] {out}, bias));
  }
}
