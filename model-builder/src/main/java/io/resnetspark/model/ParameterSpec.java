package io.resnetspark.model;

import java.util.Arrays;

/** One entry of a torchvision ResNet state_dict: its key, its PyTorch shape and what it is. */
public record ParameterSpec(String name, long[] shape, Kind kind) {

  public enum Kind {
    CONV_WEIGHT(true),
    BN_WEIGHT(true),
    BN_BIAS(true),
    BN_RUNNING_MEAN(false),
    BN_RUNNING_VAR(false),
    FC_WEIGHT(true),
    FC_BIAS(true);

    public final boolean trainable;

    Kind(boolean trainable) {
      this.trainable = trainable;
    }
  }

  public boolean trainable() {
    return kind.trainable;
  }

  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParameterSpec p && name.equals(p.name) && Arrays.equals(shape, p.shape) && kind == p.kind;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
