package io.resnetspark.model.graph;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.BlockSpec;
import io.resnetspark.model.ConvSpec;
import io.resnetspark.model.PoolSpec;
import io.resnetspark.model.weights.StateDict;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * torchvision's ResNet forward pass as TensorFlow ops, NHWC. Each function takes {@code Ops} and operands and returns
 * an operand; weights are read from a {@link StateDict} by their torchvision keys.
 *
 * <p>PyTorch pads symmetrically, TensorFlow's SAME pads asymmetrically for stride 2, so padding is always given
 * exactly: convolutions take it as EXPLICIT padding, the max-pool gets a Pad with negative infinity before a VALID
 * window.
 */
public final class ResNetGraph {
  /** PyTorch's BatchNorm2d default. */
  public static final float BATCH_NORM_EPSILON = 1e-5f;

  private ResNetGraph() {
  }

  /** How each convolution's batch norm appears in the graph. */
  public enum BatchNormMode {
    /** A FusedBatchNorm op with the running statistics after each convolution: torchvision's modules one to one. */
    SEPARATE(null),
    /**
     * Each batch norm folded into its convolution when the graph is built (see {@link BatchNormFolding}): no
     * normalisation runs at inference and grappler fuses Conv2D + BiasAdd (+ residual Add) + Relu.
     */
    FOLDED(null),
    /**
     * As {@link #FOLDED}, and each stride-1 3x3 convolution with at least {@value #WINOGRAD_MIN_CHANNELS} input
     * channels computed by Winograd F(2x2, 3x3) ({@link Winograd}). Experimental and opt-in: the job's allow-list
     * does not admit the ops it adds, and it is kept only if it gains (docs/BENCHMARKS.md, issue 14).
     */
    FOLDED_WINOGRAD(Winograd.Tiling.F2X2),
    /** As {@link #FOLDED_WINOGRAD} with F(4x4, 3x3): fewer multiplies, larger transforms, larger float32 error. */
    FOLDED_WINOGRAD_4X4(Winograd.Tiling.F4X4);

    private final Winograd.Tiling winograd;

    BatchNormMode(Winograd.Tiling winograd) {
      this.winograd = winograd;
    }

    /** The tiling of the rewritten convolutions, or null when the mode rewrites none. */
    Winograd.Tiling winograd() {
      return winograd;
    }
  }

  /**
   * Below this many channels the tile transforms cost more memory traffic than the 2.25x fewer multiplies save
   * (WinogradBench: slower at 56x56x64, even at 28x28x128, faster at 14x14x256 and 7x7x512 at batch 8). Measured
   * for F(2x2); F(4x4) uses the same rule until it is measured.
   */
  public static final int WINOGRAD_MIN_CHANNELS = 256;

  /** Logits of {@code fc} applied to the pooled features. */
  public static Operand<TFloat32> logits(Ops tf, Operand<TFloat32> features, StateDict w) {
    return tf.nn.biasAdd(tf.linalg.matMul(features, WeightOperands.fcMatrix(tf, w, "fc.weight")),
        WeightOperands.vector(tf, w, "fc.bias"));
  }

  /** Global-average-pooled features of the last stage, [N, featureDim]: torchvision's input to {@code fc}. */
  public static Operand<TFloat32> features(Ops tf, Operand<TFloat32> images, Architecture arch, StateDict w,
                                           BatchNormMode bn) {
    List<Operand<TFloat32>> stages = stages(tf, images, arch, w, bn);
    return globalAveragePool(tf, stages.get(stages.size() - 1));
  }

  /** The stem's output followed by each of the four stages' outputs. */
  public static List<Operand<TFloat32>> stages(Ops tf, Operand<TFloat32> images, Architecture arch, StateDict w,
                                               BatchNormMode bn) {
    List<Operand<TFloat32>> outputs = new ArrayList<>();
    Operand<TFloat32> x = stem(tf, images, w, bn);
    outputs.add(x);
    for (List<BlockSpec> stage : arch.stages()) {
      for (BlockSpec block : stage) {
        x = residualBlock(tf, x, block, w, bn);
      }
      outputs.add(x);
    }
    return outputs;
  }

  /** The stem: {@link Architecture#STEM}'s convolution, batch norm and ReLU, then {@link Architecture#STEM_POOL}. */
  public static Operand<TFloat32> stem(Ops tf, Operand<TFloat32> images, StateDict w, BatchNormMode bn) {
    return maxPool(tf, convolution(tf, images, Architecture.STEM, w, bn), Architecture.STEM_POOL);
  }

  /** {@code relu(branch(x) + shortcut(x))}, the branch's convolutions run in the order the block lists them. */
  public static Operand<TFloat32> residualBlock(Ops tf, Operand<TFloat32> x, BlockSpec b, StateDict w,
                                                BatchNormMode bn) {
    Operand<TFloat32> residual = x;
    for (ConvSpec c : b.branch()) {
      residual = convolution(tf, residual, c, w, bn);
    }
    Operand<TFloat32> shortcut = b.projection() ? convolution(tf, x, b.shortcut(), w, bn) : x;
    return tf.nn.relu(residualSum(tf, residual, shortcut));
  }

  /**
   * The residual branch plus the shortcut. AddN rather than Add: both are one elementwise sum, but grappler's remapper
   * only fuses an Add into the preceding Conv2D+BiasAdd(+Relu) when it can prove the two shapes equal, which it
   * cannot for the contract's [-1, -1, -1, 3] input; an AddN of two inputs it fuses without that proof (with oneDNN).
   */
  static Operand<TFloat32> residualSum(Ops tf, Operand<TFloat32> residual, Operand<TFloat32> shortcut) {
    return tf.math.addN(List.of(residual, shortcut));
  }

  /** One described convolution with its batch norm, followed by a ReLU where the description says so. */
  public static Operand<TFloat32> convolution(Ops tf, Operand<TFloat32> x, ConvSpec c, StateDict w,
                                              BatchNormMode bn) {
    Operand<TFloat32> y = convBn(tf, x, c, w, bn);
    return c.relu() ? tf.nn.relu(y) : y;
  }

  /**
   * A bias-free convolution followed by its inference-mode batch norm, either as two ops or folded into one
   * convolution with a bias. Folded constants are named {@code <conv>.folded_weight} and {@code <conv>.folded_bias}
   * so that no graph node carries a torchvision key while holding something else.
   */
  static Operand<TFloat32> convBn(Ops tf, Operand<TFloat32> x, ConvSpec c, StateDict w, BatchNormMode bn) {
    if (bn == BatchNormMode.SEPARATE) {
      return batchNorm(tf, groupedConv(tf, x, WeightOperands.convKernel(tf, w, c.conv() + ".weight"), c.stride(),
          c.padding(), c.groups()), w, c.batchNorm());
    }
    BatchNormFolding.Folded folded = BatchNormFolding.fold(w, c.conv(), c.batchNorm(), BATCH_NORM_EPSILON);
    Operand<TFloat32> bias = WeightOperands.constant(tf, c.conv() + ".folded_bias", folded.bias());
    if (bn.winograd() != null && c.kernel() == 3 && c.stride() == 1 && c.padding() == 1
        && c.groups() == 1 && c.inChannels() >= WINOGRAD_MIN_CHANNELS) {
      return tf.nn.biasAdd(Winograd.conv3x3(tf, bn.winograd(), x, c.conv() + ".folded", folded.kernel()), bias);
    }
    Operand<TFloat32> kernel = WeightOperands.convKernel(tf, c.conv() + ".folded_weight", folded.kernel());
    return tf.nn.biasAdd(groupedConv(tf, x, kernel, c.stride(), c.padding(), c.groups()), bias);
  }

  /** PyTorch's Conv2d without bias and with one group: symmetric zero padding, stride, no dilation. */
  public static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> x, StateDict w, String convKey, int stride,
                                       int padding) {
    return groupedConv(tf, x, WeightOperands.convKernel(tf, w, convKey + ".weight"), stride, padding, 1);
  }

  /**
   * PyTorch's Conv2d with {@code groups}, given its HWIO kernel [k, k, in / groups, out]. TF's CPU Conv2D does
   * accept a grouped kernel, but grappler's remapper then fuses it with the following batch norm and ReLU into
   * {@code _FusedConv2D}, whose CPU kernel refuses groups ("Fused conv implementation does not support grouped
   * convolutions"). So a grouped convolution is computed the exact way that survives every optimiser setting: split
   * the input channels and the kernel's output channels into {@code groups} slices, convolve each pair, concatenate
   * along channels. PyTorch's OIHW weight [out, in / groups, k, k] already holds the groups' kernels as consecutive
   * output-channel slices.
   */
  public static Operand<TFloat32> groupedConv(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel, int stride,
                                              int padding, int groups) {
    List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
    if (groups == 1) {
      return conv2d(tf, x, kernel, strides, padding);
    }
    Operand<TInt32> channelAxis = tf.constant(3);
    List<Output<TFloat32>> inputs = tf.split(channelAxis, x, (long) groups).output();
    List<Output<TFloat32>> kernels = tf.split(channelAxis, kernel, (long) groups).output();
    List<Operand<TFloat32>> outputs = new ArrayList<>(groups);
    for (int g = 0; g < groups; g++) {
      outputs.add(conv2d(tf, inputs.get(g), kernels.get(g), strides, padding));
    }
    return tf.concat(outputs, channelAxis);
  }

  /**
   * One Conv2D with PyTorch's symmetric zero padding given to the op itself (EXPLICIT padding) rather than as a
   * separate Pad: no padded copy of the activations is made, and the convolution stays fusable.
   */
  static Operand<TFloat32> conv2d(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel, List<Long> strides,
                                  int padding) {
    if (padding == 0) {
      return tf.nn.conv2d(x, kernel, strides, "VALID");
    }
    long p = padding;
    return tf.nn.conv2d(x, kernel, strides, "EXPLICIT", Conv2d.explicitPaddings(0L, 0L, p, p, p, p, 0L, 0L));
  }

  /** BatchNorm2d in inference mode: running statistics, eps 1e-5. */
  public static Operand<TFloat32> batchNorm(Ops tf, Operand<TFloat32> x, StateDict w, String bnKey) {
    return tf.nn.fusedBatchNorm(x,
            WeightOperands.vector(tf, w, bnKey + ".weight"),
            WeightOperands.vector(tf, w, bnKey + ".bias"),
            WeightOperands.vector(tf, w, bnKey + ".running_mean"),
            WeightOperands.vector(tf, w, bnKey + ".running_var"),
            FusedBatchNorm.epsilon(BATCH_NORM_EPSILON),
            FusedBatchNorm.isTraining(false),
            FusedBatchNorm.dataFormat("NHWC"))
        .y();
  }

  /**
   * MaxPool2d with symmetric padding. The padding is negative infinity, so it never wins the max, as in PyTorch
   * (zero would also be safe after a ReLU, but this keeps the op exact on its own).
   */
  public static Operand<TFloat32> maxPool(Ops tf, Operand<TFloat32> x, PoolSpec pool) {
    Operand<TFloat32> padded = pad(tf, x, pool.padding(), Float.NEGATIVE_INFINITY);
    return tf.nn.maxPool(padded, tf.constant(new int[] {1, pool.kernel(), pool.kernel(), 1}),
        tf.constant(new int[] {1, pool.stride(), pool.stride(), 1}), "VALID");
  }

  /** AdaptiveAvgPool2d((1, 1)) followed by flatten. */
  public static Operand<TFloat32> globalAveragePool(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(x, tf.constant(new int[] {1, 2}));
  }

  /** Symmetric spatial padding of an NHWC tensor; identity for zero. */
  public static Operand<TFloat32> pad(Ops tf, Operand<TFloat32> x, int padding, float value) {
    if (padding == 0) {
      return x;
    }
    int[][] paddings = {{0, 0}, {padding, padding}, {padding, padding}, {0, 0}};
    return tf.pad(x, tf.constant(paddings), tf.constant(value));
  }
}
