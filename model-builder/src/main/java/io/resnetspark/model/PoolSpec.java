package io.resnetspark.model;

/** A max-pooling window with PyTorch's symmetric padding (which never wins the max). */
public record PoolSpec(int kernel, int stride, int padding) {

  /** Output side for an input side of {@code n} pixels. */
  public int outputSize(int n) {
    return outputSize(n, kernel, stride, padding);
  }

  /** PyTorch's output size for a convolution or pooling window: floor((n + 2p - k) / s) + 1. */
  static int outputSize(int n, int kernel, int stride, int padding) {
    return Math.floorDiv(n + 2 * padding - kernel, stride) + 1;
  }
}
