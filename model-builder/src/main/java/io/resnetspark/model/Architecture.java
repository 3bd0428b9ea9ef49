package io.resnetspark.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one table of ResNet architectures, as in torchvision's {@code resnet.py}. Everything else (graph,
 * parameter names, parameter counts, MACs, stage shapes) is derived from a row of this table; no code
 * branches on the layer count.
 */
public enum Architecture {
  RESNET18(Block.BASIC, new int[] {2, 2, 2, 2}, 1, 64),
  RESNET34(Block.BASIC, new int[] {3, 4, 6, 3}, 1, 64),
  RESNET50(Block.BOTTLENECK, new int[] {3, 4, 6, 3}, 1, 64),
  RESNET101(Block.BOTTLENECK, new int[] {3, 4, 23, 3}, 1, 64),
  RESNET152(Block.BOTTLENECK, new int[] {3, 8, 36, 3}, 1, 64),
  RESNEXT50_32X4D(Block.BOTTLENECK, new int[] {3, 4, 6, 3}, 32, 4),
  RESNEXT101_32X8D(Block.BOTTLENECK, new int[] {3, 4, 23, 3}, 32, 8),
  RESNEXT101_64X4D(Block.BOTTLENECK, new int[] {3, 4, 23, 3}, 64, 4),
  WIDE_RESNET50_2(Block.BOTTLENECK, new int[] {3, 4, 6, 3}, 1, 128),
  WIDE_RESNET101_2(Block.BOTTLENECK, new int[] {3, 4, 23, 3}, 1, 128);

  /** Residual block type; {@code expansion} is the ratio of a block's output channels to its planes. */
  public enum Block {
    BASIC(1),
    BOTTLENECK(4);

    public final int expansion;

    Block(int expansion) {
      this.expansion = expansion;
    }
  }

  public static final int STEM_CHANNELS = 64;
  public static final int[] STAGE_PLANES = {64, 128, 256, 512};
  public static final int[] STAGE_STRIDES = {1, 2, 2, 2};

  private final Block block;
  private final int[] depths;
  private final int groups;
  private final int widthPerGroup;

  Architecture(Block block, int[] depths, int groups, int widthPerGroup) {
    this.block = block;
    this.depths = depths;
    this.groups = groups;
    this.widthPerGroup = widthPerGroup;
  }

  /** torchvision's model function name, e.g. {@code resnet50} or {@code wide_resnet50_2}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public Block block() {
    return block;
  }

  public int[] depths() {
    return depths.clone();
  }

  public int groups() {
    return groups;
  }

  public int widthPerGroup() {
    return widthPerGroup;
  }

  /** Channels of the pooled feature vector that feeds {@code fc}. */
  public int featureDim() {
    return STAGE_PLANES[STAGE_PLANES.length - 1] * block.expansion;
  }

  /**
   * Inner width of a bottleneck block in a stage: torchvision's {@code int(planes * (base_width / 64.)) * groups}.
   * For basic blocks it is the planes (torchvision refuses groups/width for them).
   */
  public int innerWidth(int planes) {
    if (block == Block.BASIC) {
      return planes;
    }
    return (int) (planes * (widthPerGroup / 64.0)) * groups;
  }

  public static Architecture fromId(String id) {
    for (Architecture a : values()) {
      if (a.id().equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown architecture '" + id + "'; choose one of " + idList());
  }

  public static String idList() {
    return Arrays.stream(values()).map(Architecture::id).collect(Collectors.joining(", "));
  }

  /** Every residual block in order, with the names and shapes its parameters have in torchvision. */
  public List<BlockSpec> blocks() {
    List<BlockSpec> result = new ArrayList<>();
    int inChannels = STEM_CHANNELS;
    for (int stage = 0; stage < depths.length; stage++) {
      int planes = STAGE_PLANES[stage];
      int outChannels = planes * block.expansion;
      for (int i = 0; i < depths[stage]; i++) {
        int stride = i == 0 ? STAGE_STRIDES[stage] : 1;
        boolean projection = stride != 1 || inChannels != outChannels;
        result.add(new BlockSpec("layer" + (stage + 1) + "." + i, stage, inChannels,
            innerWidth(planes), outChannels, stride, projection));
        inChannels = outChannels;
      }
    }
    return result;
  }

  /** One residual block: its state_dict prefix and the channel counts of its convolutions. */
  public record BlockSpec(String prefix, int stage, int inChannels, int width, int outChannels, int stride,
                          boolean projection) {
  }

  /** All parameters and buffers, in torchvision's state_dict order, with PyTorch shapes (OIHW, fc [out,in]). */
  public List<ParameterSpec> parameters(int numClasses) {
    List<ParameterSpec> p = new ArrayList<>();
    conv(p, "conv1", STEM_CHANNELS, 3, 7, 1);
    batchNorm(p, "bn1", STEM_CHANNELS);
    for (BlockSpec b : blocks()) {
      if (block == Block.BASIC) {
        conv(p, b.prefix() + ".conv1", b.width(), b.inChannels(), 3, 1);
        batchNorm(p, b.prefix() + ".bn1", b.width());
        conv(p, b.prefix() + ".conv2", b.outChannels(), b.width(), 3, 1);
        batchNorm(p, b.prefix() + ".bn2", b.outChannels());
      } else {
        conv(p, b.prefix() + ".conv1", b.width(), b.inChannels(), 1, 1);
        batchNorm(p, b.prefix() + ".bn1", b.width());
        conv(p, b.prefix() + ".conv2", b.width(), b.width(), 3, groups);
        batchNorm(p, b.prefix() + ".bn2", b.width());
        conv(p, b.prefix() + ".conv3", b.outChannels(), b.width(), 1, 1);
        batchNorm(p, b.prefix() + ".bn3", b.outChannels());
      }
      if (b.projection()) {
        conv(p, b.prefix() + ".downsample.0", b.outChannels(), b.inChannels(), 1, 1);
        batchNorm(p, b.prefix() + ".downsample.1", b.outChannels());
      }
    }
    p.add(new ParameterSpec("fc.weight", new long[] {numClasses, featureDim()}, ParameterSpec.Kind.FC_WEIGHT));
    p.add(new ParameterSpec("fc.bias", new long[] {numClasses}, ParameterSpec.Kind.FC_BIAS));
    return p;
  }

  private static void conv(List<ParameterSpec> p, String name, int out, int in, int k, int groups) {
    p.add(new ParameterSpec(name + ".weight", new long[] {out, in / groups, k, k}, ParameterSpec.Kind.CONV_WEIGHT));
  }

  private static void batchNorm(List<ParameterSpec> p, String name, int channels) {
    p.add(new ParameterSpec(name + ".weight", new long[] {channels}, ParameterSpec.Kind.BN_WEIGHT));
    p.add(new ParameterSpec(name + ".bias", new long[] {channels}, ParameterSpec.Kind.BN_BIAS));
    p.add(new ParameterSpec(name + ".running_mean", new long[] {channels}, ParameterSpec.Kind.BN_RUNNING_MEAN));
    p.add(new ParameterSpec(name + ".running_var", new long[] {channels}, ParameterSpec.Kind.BN_RUNNING_VAR));
  }

  /** Trainable parameters, as torchvision counts them (running statistics are buffers, not parameters). */
  public long parameterCount(int numClasses) {
    return parameters(numClasses).stream().filter(ParameterSpec::trainable).mapToLong(ParameterSpec::elementCount).sum();
  }

  /**
   * Multiply-accumulates of one forward pass at the given input size (convolutions and fc; BN, ReLU, pooling and
   * adds are not counted, as in torchvision's published GFLOPS figures).
   */
  public long macs(int height, int width, int numClasses) {
    long macs = 0;
    int h = convOut(height, 7, 2, 3);
    int w = convOut(width, 7, 2, 3);
    macs += (long) h * w * STEM_CHANNELS * 3 * 7 * 7;
    h = convOut(h, 3, 2, 1);
    w = convOut(w, 3, 2, 1);
    for (BlockSpec b : blocks()) {
      int ho = convOut(h, 3, b.stride(), 1);
      int wo = convOut(w, 3, b.stride(), 1);
      if (block == Block.BASIC) {
        macs += (long) ho * wo * b.width() * b.inChannels() * 9;
        macs += (long) ho * wo * b.outChannels() * b.width() * 9;
      } else {
        macs += (long) h * w * b.width() * b.inChannels();
        macs += (long) ho * wo * b.width() * (b.width() / groups) * 9;
        macs += (long) ho * wo * b.outChannels() * b.width();
      }
      if (b.projection()) {
        macs += (long) ho * wo * b.outChannels() * b.inChannels();
      }
      h = ho;
      w = wo;
    }
    macs += (long) featureDim() * numClasses;
    return macs;
  }

  /** Output shape (N excluded) after the stem and after each stage, as [H, W, C] for the given input size. */
  public List<int[]> stageShapes(int height, int width) {
    List<int[]> shapes = new ArrayList<>();
    int h = convOut(convOut(height, 7, 2, 3), 3, 2, 1);
    int w = convOut(convOut(width, 7, 2, 3), 3, 2, 1);
    shapes.add(new int[] {h, w, STEM_CHANNELS});
    for (int stage = 0; stage < depths.length; stage++) {
      h = convOut(h, 3, STAGE_STRIDES[stage], 1);
      w = convOut(w, 3, STAGE_STRIDES[stage], 1);
      shapes.add(new int[] {h, w, STAGE_PLANES[stage] * block.expansion});
    }
    return shapes;
  }

  /** PyTorch's output size for a convolution or pooling window: floor((n + 2p - k) / s) + 1. */
  public static int convOut(int n, int kernel, int stride, int padding) {
    return Math.floorDiv(n + 2 * padding - kernel, stride) + 1;
  }
}
