package io.resnetspark.model.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ReferenceResNet;
import io.resnetspark.model.SavedModelExport;
import io.resnetspark.model.TestInputs;
import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.model.weights.StateDict;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The TensorFlow graph computes what PyTorch's operators define. */
class ResNetGraphTest {

  @ParameterizedTest
  @EnumSource(value = Architecture.class, names = {"RESNET18", "RESNET50", "RESNEXT50_32X4D"})
  void logitsAgreeWithAnIndependentPlainJavaForwardPass(Architecture arch) {
    int batch = 2;
    int size = 64;
    StateDict weights = RandomWeights.withBatchNormFarFromDefaults(arch, 1000, 42);
    FloatBuffer images = TestInputs.images(batch, size, size);

    float[] graphLogits;
    try (Graph g = new Graph()) {
      SavedModelExport.ResNetEndpoints e = SavedModelExport.define(g, arch, weights);
      graphLogits = run(g, e.images(), e.logits(), images, batch, size, size);
    }

    double maxDiff = 0;
    double maxLogit = 0;
    for (int n = 0; n < batch; n++) {
      double[] expected = ReferenceResNet.logits(arch, weights, TestInputs.chw(images, n, size, size));
      for (int c = 0; c < expected.length; c++) {
        maxDiff = Math.max(maxDiff, Math.abs(expected[c] - graphLogits[n * 1000 + c]));
        maxLogit = Math.max(maxLogit, Math.abs(expected[c]));
      }
    }
    assertTrue(maxLogit > 0.1, "logits should not be degenerate, max |logit| " + maxLogit);
    assertTrue(maxDiff <= 1e-4 * maxLogit, "max |diff| " + maxDiff + " vs max |logit| " + maxLogit);
  }

  @ParameterizedTest
  @EnumSource(value = Architecture.class, names = {"RESNET18", "RESNEXT50_32X4D", "WIDE_RESNET50_2"})
  void stageOutputsHaveTorchvisionsShapesForAnOddInput(Architecture arch) {
    int h = 193;
    int w = 257;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class);
      List<Operand<TFloat32>> stages = ResNetGraph.stages(tf, in, arch, RandomWeights.create(arch, 10, 1),
          ResNetGraph.BatchNormMode.FOLDED);
      List<int[]> expected = arch.stageShapes(h, w);
      try (Session s = new Session(g); TFloat32 x = TFloat32.tensorOf(Shape.of(1, h, w, 3))) {
        Session.Runner runner = s.runner().feed(in, x);
        stages.forEach(runner::fetch);
        try (Result r = runner.run()) {
          for (int i = 0; i < stages.size(); i++) {
            long[] shape = r.get(i).shape().asArray();
            int[] e = expected.get(i);
            assertArrayEquals(new long[] {1, e[0], e[1], e[2]}, shape, "stage " + i);
          }
        }
      }
    }
  }

  @Test
  void anyInputOfAtLeast32PixelsGivesOneRowOfLogitsPerImage() {
    StateDict weights = RandomWeights.create(Architecture.RESNET18, 7, 3);
    try (Graph g = new Graph()) {
      SavedModelExport.ResNetEndpoints e = SavedModelExport.define(g, Architecture.RESNET18, weights);
      assertEquals(3 * 7, run(g, e.images(), e.logits(), TestInputs.images(3, 32, 32), 3, 32, 32).length);
      assertEquals(7, run(g, e.images(), e.logits(), TestInputs.images(1, 33, 47), 1, 33, 47).length);
    }
  }

  @Test
  void maxPoolPaddingNeverWinsTheMax() {
    int size = 4;
    FloatBuffer negative = FloatBuffer.allocate(size * size);
    for (int i = 0; i < size * size; i++) {
      negative.put(i, -1f - i);
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class);
      Operand<TFloat32> pooled = ResNetGraph.maxPool(tf, in, Architecture.STEM_POOL);
      float[] out;
      try (Session s = new Session(g);
           TFloat32 x = TFloat32.tensorOf(Shape.of(1, size, size, 1), DataBuffers.of(negative));
           Result r = s.runner().feed(in, x).fetch(pooled).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        out = new float[(int) t.shape().size()];
        t.asRawTensor().data().asFloats().read(out);
      }
      // windows (rows/cols) {-1..1} and {1..3}: the max is the real pixel nearest the top-left, never a pad value
      assertArrayEquals(new float[] {-1f, -2f, -5f, -6f}, out);
    }
  }

  @Test
  void stride2ConvolutionPadsSymmetricallyLikePyTorch() {
    // On an even input, TF's SAME would pad 2 after and 1 before for 7x7/2; PyTorch pads 3 on both sides.
    int size = 8;
    StateDict weights = RandomWeights.create(Architecture.RESNET18, 10, 5);
    FloatBuffer image = TestInputs.images(1, size, size);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class);
      Operand<TFloat32> conv = ResNetGraph.conv(tf, in, weights, "conv1", 2, 3);
      float[] graph = run(g, in, conv, image, 1, size, size);
      ReferenceResNet.Map3 expected = ReferenceResNet.conv(TestInputs.chw(image, 0, size, size),
          weights.get("conv1.weight"), 2, 3, 1);
      for (int c = 0; c < expected.c(); c++) {
        for (int y = 0; y < expected.h(); y++) {
          for (int x = 0; x < expected.w(); x++) {
            assertEquals(expected.get(c, y, x), graph[(y * expected.w() + x) * expected.c() + c], 1e-4);
          }
        }
      }
    }
  }

  /** The logits of {@code arch} exported in batch-norm mode {@code bn}, for square images of {@code size}. */
  static float[] logits(Architecture arch, StateDict weights, ResNetGraph.BatchNormMode bn, FloatBuffer images,
                        int batch, int size) {
    try (Graph g = new Graph()) {
      SavedModelExport.ResNetEndpoints e = SavedModelExport.define(g, arch, weights, bn);
      return run(g, e.images(), e.logits(), images, batch, size, size);
    }
  }

  /** Every logit within 1e-5 of the largest |expected logit|, which must not be degenerate. */
  static void assertLogitsWithin1e5Relative(float[] expected, float[] actual) {
    assertLogitsWithinRelative(expected, actual, 1e-5);
  }

  /** Every logit within {@code relative} of the largest |expected logit|, which must not be degenerate. */
  static void assertLogitsWithinRelative(float[] expected, float[] actual, double relative) {
    double maxDiff = 0;
    double maxLogit = 0;
    for (int i = 0; i < expected.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
      maxLogit = Math.max(maxLogit, Math.abs(expected[i]));
    }
    assertTrue(maxLogit > 0.1, "logits should not be degenerate, max |logit| " + maxLogit);
    assertTrue(maxDiff <= relative * maxLogit, "max |diff| " + maxDiff + " vs max |logit| " + maxLogit);
  }

  static float[] run(Graph g, Placeholder<TFloat32> in, Operand<TFloat32> out, FloatBuffer data, int n, int h,
                     int w) {
    try (Session s = new Session(g);
         TFloat32 x = TFloat32.tensorOf(Shape.of(n, h, w, 3), DataBuffers.of(data.duplicate().rewind()));
         Result r = s.runner().feed(in, x).fetch(out).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] values = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(values);
      return values;
    }
  }
}
