package io.resnetspark.model;

import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.TensorData;

/**
 * A deliberately naive ResNet forward pass on one NCHW image, written from PyTorch's operator definitions
 * (Conv2d with zero padding and groups, BatchNorm2d in eval mode, MaxPool2d with implicit -inf padding,
 * AdaptiveAvgPool2d(1), Linear) and sharing no code with the TensorFlow graph. It accumulates in double, so it is
 * the more accurate of the two. Used only to check the graph.
 */
public final class ReferenceResNet {
  private ReferenceResNet() {
  }

  /** A CHW feature map. */
  public record Map3(int c, int h, int w, double[] v) {
    public double get(int ci, int y, int x) {
      return v[(ci * h + y) * w + x];
    }
  }

  public static double[] logits(Architecture arch, StateDict sd, Map3 image) {
    double[] f = features(arch, sd, image);
    TensorData fcW = sd.get("fc.weight");
    float[] b = sd.get("fc.bias").data();
    int out = (int) fcW.shape()[0];
    double[] logits = new double[out];
    for (int o = 0; o < out; o++) {
      double s = b[o];
      for (int i = 0; i < f.length; i++) {
        s += fcW.data()[o * f.length + i] * f[i];
      }
      logits[o] = s;
    }
    return logits;
  }

  static double[] features(Architecture arch, StateDict sd, Map3 image) {
    Map3 x = relu(batchNorm(conv(image, sd.get("conv1.weight"), 2, 3, 1), sd, "bn1"));
    x = maxPool(x);
    for (BlockSpec b : arch.blocks()) {
      x = block(arch, sd, b, x);
    }
    double[] pooled = new double[x.c()];
    for (int c = 0; c < x.c(); c++) {
      double s = 0;
      for (int i = 0; i < x.h() * x.w(); i++) {
        s += x.v()[c * x.h() * x.w() + i];
      }
      pooled[c] = s / (x.h() * x.w());
    }
    return pooled;
  }

  private static Map3 block(Architecture arch, StateDict sd, BlockSpec b, Map3 x) {
    String p = b.prefix();
    Map3 y;
    if (arch.block() == ResidualBlock.BASIC) {
      y = relu(batchNorm(conv(x, sd.get(p + ".conv1.weight"), b.stride(), 1, 1), sd, p + ".bn1"));
      y = batchNorm(conv(y, sd.get(p + ".conv2.weight"), 1, 1, 1), sd, p + ".bn2");
    } else {
      y = relu(batchNorm(conv(x, sd.get(p + ".conv1.weight"), 1, 0, 1), sd, p + ".bn1"));
      y = relu(batchNorm(conv(y, sd.get(p + ".conv2.weight"), b.stride(), 1, arch.groups()), sd, p + ".bn2"));
      y = batchNorm(conv(y, sd.get(p + ".conv3.weight"), 1, 0, 1), sd, p + ".bn3");
    }
    Map3 shortcut = b.projection()
        ? batchNorm(conv(x, sd.get(p + ".downsample.0.weight"), b.stride(), 0, 1), sd, p + ".downsample.1")
        : x;
    double[] out = new double[y.v().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(0, y.v()[i] + shortcut.v()[i]);
    }
    return new Map3(y.c(), y.h(), y.w(), out);
  }

  /** out[o,y,x] = sum over the group's input channels and the window of w[o,i,ky,kx] * in_padded[...]. */
  public static Map3 conv(Map3 in, TensorData weight, int stride, int pad, int groups) {
    int outC = (int) weight.shape()[0];
    int inPerGroup = (int) weight.shape()[1];
    int k = (int) weight.shape()[2];
    int outPerGroup = outC / groups;
    int oh = (in.h() + 2 * pad - k) / stride + 1;
    int ow = (in.w() + 2 * pad - k) / stride + 1;
    double[] out = new double[outC * oh * ow];
    float[] w = weight.data();
    for (int o = 0; o < outC; o++) {
      int group = o / outPerGroup;
      for (int i = 0; i < inPerGroup; i++) {
        int ci = group * inPerGroup + i;
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            double wv = w[((o * inPerGroup + i) * k + ky) * k + kx];
            for (int y = 0; y < oh; y++) {
              int iy = y * stride - pad + ky;
              if (iy < 0 || iy >= in.h()) {
                continue;
              }
              for (int x = 0; x < ow; x++) {
                int ix = x * stride - pad + kx;
                if (ix >= 0 && ix < in.w()) {
                  out[(o * oh + y) * ow + x] += wv * in.get(ci, iy, ix);
                }
              }
            }
          }
        }
      }
    }
    return new Map3(outC, oh, ow, out);
  }

  static Map3 batchNorm(Map3 in, StateDict sd, String key) {
    float[] gamma = sd.get(key + ".weight").data();
    float[] beta = sd.get(key + ".bias").data();
    float[] mean = sd.get(key + ".running_mean").data();
    float[] var = sd.get(key + ".running_var").data();
    double[] out = new double[in.v().length];
    int plane = in.h() * in.w();
    for (int c = 0; c < in.c(); c++) {
      double scale = gamma[c] / Math.sqrt(var[c] + 1e-5);
      for (int i = 0; i < plane; i++) {
        out[c * plane + i] = (in.v()[c * plane + i] - mean[c]) * scale + beta[c];
      }
    }
    return new Map3(in.c(), in.h(), in.w(), out);
  }

  static Map3 relu(Map3 in) {
    double[] out = in.v().clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(0, out[i]);
    }
    return new Map3(in.c(), in.h(), in.w(), out);
  }

  /** MaxPool2d(3, 2, 1): windows only look at real pixels. */
  static Map3 maxPool(Map3 in) {
    int oh = (in.h() + 2 - 3) / 2 + 1;
    int ow = (in.w() + 2 - 3) / 2 + 1;
    double[] out = new double[in.c() * oh * ow];
    for (int c = 0; c < in.c(); c++) {
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          double m = Double.NEGATIVE_INFINITY;
          for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
              int iy = y * 2 - 1 + ky;
              int ix = x * 2 - 1 + kx;
              if (iy >= 0 && iy < in.h() && ix >= 0 && ix < in.w()) {
                m = Math.max(m, in.get(c, iy, ix));
              }
            }
          }
          out[(c * oh + y) * ow + x] = m;
        }
      }
    }
    return new Map3(in.c(), oh, ow, out);
  }
}
