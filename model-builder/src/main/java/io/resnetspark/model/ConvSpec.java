package io.resnetspark.model;

/**
 * One bias-free convolution of the network with the batch norm after it, as torchvision's modules declare them:
 * the state_dict keys of both, the channels, the square window and its symmetric zero padding, the groups, and
 * whether a ReLU follows directly. Parameter shapes, multiply-accumulates, output sizes and the graph are all
 * read from this description.
 */
public record ConvSpec(String conv, String batchNorm, int inChannels, int outChannels, int kernel, int stride,
                       int padding, int groups, boolean relu) {

  /** The weight's PyTorch shape, OIHW: each group sees {@code inChannels / groups} inputs. */
  public long[] weightShape() {
    return new long[] {outChannels, inChannels / groups, kernel, kernel};
  }

  /** Output side for an input side of {@code n} pixels. */
  public int outputSize(int n) {
    return PoolSpec.outputSize(n, kernel, stride, padding);
  }

  /** Multiply-accumulates of this convolution on an {@code height x width} input. */
  public long macs(int height, int width) {
    return (long) outputSize(height) * outputSize(width) * outChannels * (inChannels / groups) * kernel * kernel;
  }
}
