package io.resnetspark.model.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.SavedModelExport;
import io.resnetspark.model.TestInputs;
import io.resnetspark.model.graph.ResNetGraph.BatchNormMode;
import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.model.weights.StateDict;
import io.resnetspark.model.weights.TensorData;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;

/** Folding batch norms into convolutions changes how the network is computed, never what it computes. */
class BatchNormFoldingTest {

  @Test
  void eachOutputChannelIsScaledByGammaOverSigmaAndShiftedIntoTheBias() {
    // two output channels, one input channel, 1x2 kernels; scales 3 / sqrt(1) = 3 and 1 / sqrt(16) = 0.25
    TensorData kernel = new TensorData(new long[] {2, 1, 1, 2}, new float[] {1f, -2f, 0.5f, 4f});
    BatchNormFolding.Folded f = BatchNormFolding.fold(kernel,
        new float[] {3f, 1f}, new float[] {0.5f, -1f}, new float[] {1f, -2f}, new float[] {1f, 16f}, 0.0);
    assertArrayEquals(new long[] {2, 1, 1, 2}, f.kernel().shape());
    assertArrayEquals(new float[] {3f, -6f, 0.125f, 1f}, f.kernel().data());
    assertArrayEquals(new float[] {0.5f - 1f * 3f, -1f + 2f * 0.25f}, f.bias().data());
  }

  @Test
  void epsilonIsAddedToTheVarianceBeforeTheSquareRoot() {
    TensorData kernel = new TensorData(new long[] {1, 1, 1, 1}, new float[] {1f});
    BatchNormFolding.Folded f = BatchNormFolding.fold(kernel,
        new float[] {1f}, new float[] {0f}, new float[] {0f}, new float[] {0f}, 0.25);
    assertEquals(2f, f.kernel().data()[0]);
  }

  @Test
  void aBatchNormWithAnotherChannelCountIsRefused() {
    TensorData kernel = new TensorData(new long[] {2, 1, 1, 1}, new float[] {1f, 1f});
    float[] three = {1f, 1f, 1f};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BatchNormFolding.fold(kernel, three, three, three, three, 1e-5));
    assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(value = Architecture.class, names = {"RESNET18", "RESNET50", "RESNEXT50_32X4D"})
  void theFoldedNetworkGivesTheUnfoldedNetworksLogitsWithin1e5Relative(Architecture arch) {
    int batch = 2;
    int size = 64;
    StateDict weights = RandomWeights.withBatchNormFarFromDefaults(arch, 1000, 7);
    FloatBuffer images = TestInputs.images(batch, size, size);
    float[] separate = ResNetGraphTest.logits(arch, weights, BatchNormMode.SEPARATE, images, batch, size);
    float[] folded = ResNetGraphTest.logits(arch, weights, BatchNormMode.FOLDED, images, batch, size);
    ResNetGraphTest.assertLogitsWithin1e5Relative(separate, folded);
  }

  @Test
  void theFoldedGraphHasNoBatchNormOpsAndNamesItsConstantsAfterTheConvolution() {
    StateDict weights = RandomWeights.withBatchNormFarFromDefaults(Architecture.RESNET18, 10, 3);
    try (Graph g = new Graph()) {
      SavedModelExport.define(g, Architecture.RESNET18, weights, BatchNormMode.FOLDED);
      Set<String> types = new HashSet<>();
      Set<String> names = new HashSet<>();
      for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        types.add(op.type());
        names.add(op.name());
      }
      assertTrue(types.contains("BiasAdd"));
      assertTrue(!types.contains("FusedBatchNorm") && !types.contains("FusedBatchNormV3"), types.toString());
      assertTrue(names.contains("layer2.0.downsample.0.folded_weight"), "folded kernel named after its conv");
      assertTrue(names.contains("layer2.0.downsample.0.folded_bias"), "folded bias named after its conv");
      assertTrue(names.contains("fc.weight"), "fc keeps its torchvision name");
    }
  }
}
