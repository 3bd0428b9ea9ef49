package io.resnetspark.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one table of ResNet architectures, as in torchvision's {@code resnet.py}. Everything else (graph,
 * parameter names, parameter counts, MACs, stage shapes) is derived from a row of this table and the convolutions
 * its {@link ResidualBlock} describes; no code branches on the block type or the layer count.
 */
public enum Architecture {
  RESNET18(ResidualBlock.BASIC, new int[] {2, 2, 2, 2}, 1, 64),
  RESNET34(ResidualBlock.BASIC, new int[] {3, 4, 6, 3}, 1, 64),
  RESNET50(ResidualBlock.BOTTLENECK, new int[] {3, 4, 6, 3}, 1, 64),
  RESNET101(ResidualBlock.BOTTLENECK, new int[] {3, 4, 23, 3}, 1, 64),
  RESNET152(ResidualBlock.BOTTLENECK, new int[] {3, 8, 36, 3}, 1, 64),
  RESNEXT50_32X4D(ResidualBlock.BOTTLENECK, new int[] {3, 4, 6, 3}, 32, 4),
  RESNEXT101_32X8D(ResidualBlock.BOTTLENECK, new int[] {3, 4, 23, 3}, 32, 8),
  RESNEXT101_64X4D(ResidualBlock.BOTTLENECK, new int[] {3, 4, 23, 3}, 64, 4),
  WIDE_RESNET50_2(ResidualBlock.BOTTLENECK, new int[] {3, 4, 6, 3}, 1, 128),
  WIDE_RESNET101_2(ResidualBlock.BOTTLENECK, new int[] {3, 4, 23, 3}, 1, 128);

  /** The stem's convolution: conv1 7x7/2 pad 3 from RGB to 64 channels, with bn1 and a ReLU. */
  public static final ConvSpec STEM = new ConvSpec("conv1", "bn1", 3, 64, 7, 2, 3, 1, true);
  /** The stem's max-pool, 3x3/2 pad 1, after its convolution. */
  public static final PoolSpec STEM_POOL = new PoolSpec(3, 2, 1);
  private static final int[] STAGE_PLANES = {64, 128, 256, 512};
  private static final int[] STAGE_STRIDES = {1, 2, 2, 2};

  private final ResidualBlock block;
  private final int[] depths;
  private final int groups;
  private final int widthPerGroup;

  Architecture(ResidualBlock block, int[] depths, int groups, int widthPerGroup) {
    this.block = block;
    this.depths = depths;
    this.groups = groups;
    this.widthPerGroup = widthPerGroup;
  }

  /** torchvision's model function name, e.g. {@code resnet50} or {@code wide_resnet50_2}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public ResidualBlock block() {
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

  /** The four stages ({@code layer1} to {@code layer4}), each its residual blocks in order. */
  public List<List<BlockSpec>> stages() {
    List<List<BlockSpec>> stages = new ArrayList<>();
    int inChannels = STEM.outChannels();
    for (int stage = 0; stage < depths.length; stage++) {
      List<BlockSpec> blocks = new ArrayList<>();
      for (int i = 0; i < depths[stage]; i++) {
        BlockSpec b = block.block("layer" + (stage + 1) + "." + i, stage, inChannels, STAGE_PLANES[stage],
            i == 0 ? STAGE_STRIDES[stage] : 1, groups, widthPerGroup);
        blocks.add(b);
        inChannels = b.outChannels();
      }
      stages.add(List.copyOf(blocks));
    }
    return List.copyOf(stages);
  }

  /** Every residual block in order, with the names and shapes its parameters have in torchvision. */
  public List<BlockSpec> blocks() {
    return stages().stream().flatMap(List::stream).toList();
  }

  /** All parameters and buffers, in torchvision's state_dict order, with PyTorch shapes (OIHW, fc [out,in]). */
  public List<ParameterSpec> parameters(int numClasses) {
    List<ParameterSpec> p = new ArrayList<>();
    convolution(p, STEM);
    for (BlockSpec b : blocks()) {
      for (ConvSpec c : b.convolutions()) {
        convolution(p, c);
      }
    }
    p.add(new ParameterSpec("fc.weight", new long[] {numClasses, featureDim()}, ParameterSpec.Kind.FC_WEIGHT));
    p.add(new ParameterSpec("fc.bias", new long[] {numClasses}, ParameterSpec.Kind.FC_BIAS));
    return p;
  }

  /** A convolution's weight, then its batch norm's weight, bias and running statistics. */
  private static void convolution(List<ParameterSpec> p, ConvSpec c) {
    p.add(new ParameterSpec(c.conv() + ".weight", c.weightShape(), ParameterSpec.Kind.CONV_WEIGHT));
    long[] channels = {c.outChannels()};
    p.add(new ParameterSpec(c.batchNorm() + ".weight", channels.clone(), ParameterSpec.Kind.BN_WEIGHT));
    p.add(new ParameterSpec(c.batchNorm() + ".bias", channels.clone(), ParameterSpec.Kind.BN_BIAS));
    p.add(new ParameterSpec(c.batchNorm() + ".running_mean", channels.clone(), ParameterSpec.Kind.BN_RUNNING_MEAN));
    p.add(new ParameterSpec(c.batchNorm() + ".running_var", channels.clone(), ParameterSpec.Kind.BN_RUNNING_VAR));
  }

  /** Trainable parameters, as torchvision counts them (running statistics are buffers, not parameters). */
  public long parameterCount(int numClasses) {
    return parameters(numClasses).stream().filter(ParameterSpec::trainable)
        .mapToLong(ParameterSpec::elementCount).sum();
  }

  /**
   * Multiply-accumulates of one forward pass at the given input size (convolutions and fc; BN, ReLU, pooling and
   * adds are not counted, as in torchvision's published GFLOPS figures).
   */
  public long macs(int height, int width, int numClasses) {
    long macs = STEM.macs(height, width);
    int h = STEM_POOL.outputSize(STEM.outputSize(height));
    int w = STEM_POOL.outputSize(STEM.outputSize(width));
    for (BlockSpec b : blocks()) {
      macs += b.macs(h, w);
      h = b.outputSize(h);
      w = b.outputSize(w);
    }
    return macs + (long) featureDim() * numClasses;
  }

  /** Output shape (N excluded) after the stem and after each stage, as [H, W, C] for the given input size. */
  public List<int[]> stageShapes(int height, int width) {
    List<int[]> shapes = new ArrayList<>();
    int h = STEM_POOL.outputSize(STEM.outputSize(height));
    int w = STEM_POOL.outputSize(STEM.outputSize(width));
    shapes.add(new int[] {h, w, STEM.outChannels()});
    for (List<BlockSpec> stage : stages()) {
      for (BlockSpec b : stage) {
        h = b.outputSize(h);
        w = b.outputSize(w);
      }
      shapes.add(new int[] {h, w, stage.get(stage.size() - 1).outChannels()});
    }
    return shapes;
  }
}
