package io.resnetspark.model.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.SavedModelExport;
import io.resnetspark.model.TestInputs;
import io.resnetspark.model.graph.ResNetGraph.BatchNormMode;
import io.resnetspark.model.graph.Winograd.Tiling;
import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.TensorData;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Winograd F(2x2, 3x3) and F(4x4, 3x3) compute PyTorch's padded 3x3 convolution for any image size, F(2x2) to float32
 * rounding and F(4x4) to a few times that.
 */
class WinogradTest {

  @ParameterizedTest
  @EnumSource(Tiling.class)
  void theMatricesComputeTheOneDimensionalCorrelationOfEveryInputWithEveryKernelTap(Tiling t) {
    // y = A^T [(G g) . (B^T d)] is bilinear in d and g, so checking every pair of unit vectors checks it for all:
    // y[i] = sum over k of d[i + k] g[k], which for d = e_j, g = e_k is 1 exactly where i + k = j
    double[][] bt = t.bt();
    double[][] g = t.g();
    double[][] at = t.at();
    int alpha = t.alpha();
    assertEquals(alpha, bt.length);
    assertEquals(alpha, g.length);
    assertEquals(t.m(), at.length);
    for (int j = 0; j < alpha; j++) {
      for (int k = 0; k < 3; k++) {
        for (int i = 0; i < t.m(); i++) {
          double y = 0;
          for (int a = 0; a < alpha; a++) {
            y += at[i][a] * g[a][k] * bt[a][j];
          }
          assertEquals(i + k == j ? 1 : 0, y, 1e-12, t + ": y[" + i + "] for d = e" + j + ", g = e" + k);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Tiling.class)
  void theKernelTransformOfADeltaKernelIsTheOuterProductOfGsMiddleColumn(Tiling t) {
    // g = the centre tap only: U = G e1 e1^T G^T
    double[] middle = switch (t) {
      case F2X2 -> new double[] {0, 0.5, -0.5, 0};
      case F4X4 -> new double[] {0, -1.0 / 6, 1.0 / 6, 1.0 / 12, -1.0 / 12, 0};
    };
    float[] g = new float[9];
    g[4] = 1f;
    List<TensorData> u = Winograd.transformedKernels(t, new TensorData(new long[] {1, 1, 3, 3}, g));
    int alpha = t.alpha();
    assertEquals(alpha * alpha, u.size());
    for (int a = 0; a < alpha; a++) {
      for (int b = 0; b < alpha; b++) {
        assertArrayEquals(new long[] {1, 1, 1, 1}, u.get(a * alpha + b).shape());
        assertEquals((float) (middle[a] * middle[b]), u.get(a * alpha + b).data()[0], 0.0);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Tiling.class)
  void onlyThreeByThreeKernelsAreAccepted(Tiling t) {
    TensorData oneByOne = new TensorData(new long[] {2, 2, 1, 1}, new float[4]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Winograd.transformedKernels(t, oneByOne));
    assertTrue(e.getMessage().contains("3x3"), e.getMessage());
  }

  /**
   * Each tiling's bound on its error against a double-precision direct convolution, relative to the largest output.
   * F(2x2)'s transforms only add, subtract and halve; F(4x4)'s scale by up to 8 and by 1/24, so its rounding errors
   * grow more (measured max: see docs/BENCHMARKS.md). A wrong matrix errs by the order of the output itself.
   */
  private static double errorBound(Tiling t) {
    return switch (t) {
      case F2X2 -> 1e-5;
      case F4X4 -> 1e-4;
    };
  }

  static Stream<Arguments> tilingsAndShapes() {
    List<int[]> shapes = List.of(new int[] {2, 8, 8, 16, 24}, new int[] {1, 7, 7, 32, 8}, new int[] {3, 14, 9, 8, 8},
        new int[] {1, 1, 1, 4, 4}, new int[] {1, 2, 3, 4, 4}, new int[] {1, 5, 6, 8, 8},
        new int[] {1, 14, 14, 256, 32}, new int[] {1, 7, 7, 512, 16});
    return Stream.of(Tiling.values()).flatMap(t -> shapes.stream()
        .map(s -> Arguments.of(t, s[0], s[1], s[2], s[3], s[4])));
  }

  @ParameterizedTest
  @MethodSource("tilingsAndShapes")
  void matchesTheDirectConvolutionWithinItsTilingsErrorBound(Tiling t, int n, int h, int w, int in, int out) {
    SplittableRandom random = new SplittableRandom(h * 31L + w);
    float[] x = new float[n * h * w * in];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-2, 2);
    }
    float[] oihw = new float[out * in * 9];
    for (int i = 0; i < oihw.length; i++) {
      oihw[i] = (float) (random.nextGaussian() * Math.sqrt(2.0 / (9 * in)));
    }
    TensorData kernel = new TensorData(new long[] {out, in, 3, 3}, oihw);
    double[] reference = directConvolution(x, n, h, w, in, oihw, out);
    float[] direct = run(n, h, w, in, x, (tf, input) -> ResNetGraph.conv2d(tf, input,
        WeightOperands.convKernel(tf, "k", kernel), List.of(1L, 1L, 1L, 1L), 1));
    float[] winograd = run(n, h, w, in, x, (tf, input) -> Winograd.conv3x3(tf, t, input, "k", kernel));

    assertEquals(reference.length, winograd.length);
    double scale = 0;
    double directError = 0;
    double winogradError = 0;
    for (int i = 0; i < reference.length; i++) {
      scale = Math.max(scale, Math.abs(reference[i]));
      directError = Math.max(directError, Math.abs(direct[i] - reference[i]));
      winogradError = Math.max(winogradError, Math.abs(winograd[i] - reference[i]));
    }
    assertTrue(scale > 0.1, "outputs should not be degenerate: " + scale);
    assertTrue(winogradError <= errorBound(t) * scale, t + " error " + winogradError + " at scale " + scale
        + " (direct " + directError + ")");
  }

  @ParameterizedTest
  @CsvSource({"FOLDED_WINOGRAD, 1e-5", "FOLDED_WINOGRAD_4X4, 1e-4"})
  void theWinogradNetworkGivesTheFoldedNetworksLogits(BatchNormMode mode, double relative) {
    Architecture arch = Architecture.RESNET50;
    int batch = 2;
    int size = 96;
    StateDict weights = RandomWeights.withBatchNormFarFromDefaults(arch, 1000, 7);
    FloatBuffer images = TestInputs.images(batch, size, size);
    float[] folded = ResNetGraphTest.logits(arch, weights, BatchNormMode.FOLDED, images, batch, size);
    float[] winograd = ResNetGraphTest.logits(arch, weights, mode, images, batch, size);
    ResNetGraphTest.assertLogitsWithinRelative(folded, winograd, relative);
  }

  @ParameterizedTest
  @EnumSource(value = BatchNormMode.class, names = {"FOLDED_WINOGRAD", "FOLDED_WINOGRAD_4X4"})
  void onlyTheWideStrideOneThreeByThreeConvolutionsAreRewritten(BatchNormMode mode) {
    StateDict weights = RandomWeights.withBatchNormFarFromDefaults(Architecture.RESNET50, 10, 3);
    try (Graph g = new Graph()) {
      SavedModelExport.define(g, Architecture.RESNET50, weights, mode);
      Map<String, Integer> kernels = new TreeMap<>();
      Iterator<GraphOperation> ops = g.operations();
      while (ops.hasNext()) {
        String name = ops.next().name();
        int at = name.indexOf(".folded.winograd_");
        if (at >= 0 && name.length() == at + ".folded.winograd_".length() + 2) {
          kernels.merge(name.substring(0, at), 1, Integer::sum);
        }
      }
      // the stride-1 conv2 of layer3 (256 channels) and layer4 (512); each stage's first conv2 has stride 2 (V1.5)
      // and layer1/2's have fewer channels; each has alpha^2 transformed kernels
      int alpha = mode.winograd().alpha();
      Map<String, Integer> expected = new TreeMap<>();
      for (int b = 1; b < 6; b++) {
        expected.put("layer3." + b + ".conv2", alpha * alpha);
      }
      for (int b = 1; b < 3; b++) {
        expected.put("layer4." + b + ".conv2", alpha * alpha);
      }
      assertEquals(expected, kernels);
    }
  }


  interface Convolution {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> input);
  }

  private static float[] run(int n, int h, int w, int in, float[] x, Convolution conv) {
    try (Graph g = new Graph(); Session s = new Session(g);
         TFloat32 input = TFloat32.tensorOf(Shape.of(n, h, w, in), DataBuffers.of(x, true, false))) {
      Ops tf = Ops.create(g);
      // unknown spatial size, as in the SavedModel contract: the tiling must not rely on static shapes
      Operand<TFloat32> placeholder = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, -1, -1, in)));
      Operand<TFloat32> y = conv.apply(tf, placeholder);
      try (TFloat32 result = (TFloat32) s.runner().feed(placeholder, input).fetch(y).run().get(0)) {
        float[] out = new float[(int) result.shape().size()];
        result.asRawTensor().data().asFloats().read(out);
        return out;
      }
    }
  }

  /** PyTorch's Conv2d(stride 1, padding 1) in double, NHWC in and out, OIHW kernel. */
  private static double[] directConvolution(float[] x, int n, int h, int w, int in, float[] oihw, int out) {
    double[] y = new double[n * h * w * out];
    for (int b = 0; b < n; b++) {
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          for (int o = 0; o < out; o++) {
            double sum = 0;
            for (int kh = 0; kh < 3; kh++) {
              for (int kw = 0; kw < 3; kw++) {
                int rr = r + kh - 1;
                int cc = c + kw - 1;
                if (rr < 0 || rr >= h || cc < 0 || cc >= w) {
                  continue;
                }
                for (int i = 0; i < in; i++) {
                  sum += x[((b * h + rr) * w + cc) * in + i] * (double) oihw[((o * in + i) * 3 + kh) * 3 + kw];
                }
              }
            }
            y[((b * h + r) * w + c) * out + o] = sum;
          }
        }
      }
    }
    return y;
  }
}
