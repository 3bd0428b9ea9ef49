package io.resnetspark.model.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.SavedModelExport;
import io.resnetspark.model.TestWeights;
import io.resnetspark.model.graph.ResNetGraph.BatchNormMode;
import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.TensorData;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Winograd F(2x2, 3x3) computes PyTorch's padded 3x3 convolution, to float32 rounding, for any image size. */
class WinogradTest {

  @Test
  void theKernelTransformOfADeltaKernelIsGTimesItsColumnTimesGTransposed() {
    // g = the centre tap only: U = G e1 e1^T G^T, the outer product of G's middle column with itself
    float[] g = new float[9];
    g[4] = 1f;
    List<TensorData> u = Winograd.transformedKernels(new TensorData(new long[] {1, 1, 3, 3}, g));
    double[] middle = {0, 0.5, -0.5, 0};
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        assertArrayEquals(new long[] {1, 1, 1, 1}, u.get(a * 4 + b).shape());
        assertEquals(middle[a] * middle[b], u.get(a * 4 + b).data()[0], 0.0);
      }
    }
  }

  @Test
  void onlyThreeByThreeKernelsAreAccepted() {
    TensorData oneByOne = new TensorData(new long[] {2, 2, 1, 1}, new float[4]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Winograd.transformedKernels(oneByOne));
    assertTrue(e.getMessage().contains("3x3"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"2, 8, 8, 16, 24", "1, 7, 7, 32, 8", "3, 14, 9, 8, 8", "1, 1, 1, 4, 4"})
  void matchesTheDirectConvolutionWithinFloatRounding(int n, int h, int w, int in, int out) {
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
    float[] winograd = run(n, h, w, in, x, (tf, input) -> Winograd.conv3x3(tf, input, "k", kernel));

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
    // F(2x2,3x3)'s transforms only add, subtract and halve: its error stays within a few times the direct one's
    assertTrue(winogradError <= 1e-5 * scale, "winograd error " + winogradError + " at scale " + scale
        + " (direct " + directError + ")");
  }

  @Test
  void theWinogradNetworkGivesTheFoldedNetworksLogitsWithin1e5Relative() {
    Architecture arch = Architecture.RESNET50;
    int batch = 2;
    int size = 96;
    StateDict weights = TestWeights.withBatchNormFarFromDefaults(arch, 1000, 7);
    FloatBuffer images = TestWeights.images(batch, size, size);
    float[] folded = ResNetGraphTest.logits(arch, weights, BatchNormMode.FOLDED, images, batch, size);
    float[] winograd = ResNetGraphTest.logits(arch, weights, BatchNormMode.FOLDED_WINOGRAD, images, batch, size);
    ResNetGraphTest.assertLogitsWithin1e5Relative(folded, winograd);
  }

  @Test
  void onlyTheWideStrideOneThreeByThreeConvolutionsAreRewritten() {
    StateDict weights = TestWeights.withBatchNormFarFromDefaults(Architecture.RESNET50, 10, 3);
    try (Graph g = new Graph()) {
      SavedModelExport.define(g, Architecture.RESNET50, weights, BatchNormMode.FOLDED_WINOGRAD);
      Set<String> rewritten = new TreeSet<>();
      Iterator<GraphOperation> ops = g.operations();
      while (ops.hasNext()) {
        String name = ops.next().name();
        if (name.endsWith(".winograd_00")) {
          rewritten.add(name.substring(0, name.indexOf(".folded")));
        }
      }
      // the stride-1 conv2 of layer3 (256 channels) and layer4 (512); each stage's first conv2 has stride 2 (V1.5)
      // and layer1/2's have fewer channels
      Set<String> expected = new TreeSet<>();
      for (int b = 1; b < 6; b++) {
        expected.add("layer3." + b + ".conv2");
      }
      for (int b = 1; b < 3; b++) {
        expected.add("layer4." + b + ".conv2");
      }
      assertEquals(expected, rewritten);
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
