package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.graph.ResNetGraph;
import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.model.runtime.SavedResNet.TensorSpec;
import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.model.weights.StateDict;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** An exported SavedModel computes what the graph did and keeps the contract other modules rely on. */
class SavedModelExportTest {
  private static final Architecture ARCH = Architecture.RESNET18;
  private static final int CLASSES = 10;

  @TempDir
  Path dir;

  @Test
  void exportedModelGivesTheSameLogitsAsTheGraphBeforeExport() throws IOException {
    StateDict weights = RandomWeights.withBatchNormFarFromDefaults(ARCH, CLASSES, 11);
    FloatBuffer images = TestInputs.images(2, 64, 64);
    float[] before;
    try (Graph g = new Graph()) {
      SavedModelExport.ResNetEndpoints e = SavedModelExport.define(g, ARCH, weights);
      try (Session s = new Session(g);
           TFloat32 x = TFloat32.tensorOf(Shape.of(2, 64, 64, 3), DataBuffers.of(images.duplicate()));
           Result r = s.runner().feed(e.images(), x).fetch(e.logits()).run()) {
        before = new float[2 * CLASSES];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(before);
      }
    }
    Path out = dir.resolve("model");
    SavedModelExport.export(ARCH, weights, ModelMetadata.WeightsInfo.random(11), Labels.defaults(CLASSES),
        PreprocessSpec.Preset.IMAGENET1K_V1.spec(), out, false);
    try (SavedResNet loaded = SavedResNet.load(out)) {
      SavedResNet.Classification after = loaded.classify(images.duplicate(), 2, 64, 64);
      assertArrayEquals(before, after.logits(), 1e-6f);
      float rowSum = 0;
      for (int c = 0; c < CLASSES; c++) {
        rowSum += after.probability(0, c);
      }
      assertEquals(1f, rowSum, 1e-5f, "probabilities are a softmax");
      float[] embeddings = loaded.embed(images.duplicate(), 2, 64, 64);
      assertEquals(2 * ARCH.featureDim(), embeddings.length);
    }
  }

  @Test
  void signaturesHaveTheContractsNamesDtypesAndShapes() throws IOException {
    Path out = dir.resolve("model");
    SavedModelExport.export(ARCH, RandomWeights.create(ARCH, CLASSES, 1), ModelMetadata.WeightsInfo.random(1),
        Labels.defaults(CLASSES), PreprocessSpec.Preset.IMAGENET1K_V1.spec(), out, false);
    try (SavedResNet model = SavedResNet.load(out)) {
      Map<String, Map<String, Map<String, TensorSpec>>> sigs = model.signatures();
      assertEquals(List.of("features", "serving_default"), List.copyOf(sigs.keySet()));
      assertSpec(sigs.get("serving_default").get("inputs").get("images"), -1, -1, -1, 3);
      assertSpec(sigs.get("serving_default").get("outputs").get("logits"), -1, CLASSES);
      assertSpec(sigs.get("serving_default").get("outputs").get("probabilities"), -1, CLASSES);
      assertSpec(sigs.get("features").get("inputs").get("images"), -1, -1, -1, 3);
      assertSpec(sigs.get("features").get("outputs").get("embeddings"), -1, ARCH.featureDim());
      assertEquals(1, sigs.get("features").get("outputs").size());
    }
  }

  @Test
  void anUnfoldedExportSaysSoInItsMetadata() throws IOException {
    Path out = dir.resolve("model");
    SavedModelExport.export(ARCH, RandomWeights.withBatchNormFarFromDefaults(ARCH, CLASSES, 1),
        ModelMetadata.WeightsInfo.random(1), Labels.defaults(CLASSES), PreprocessSpec.Preset.IMAGENET1K_V1.spec(),
        out, false, ResNetGraph.BatchNormMode.SEPARATE);
    assertFalse(ModelMetadata.read(out).batchNormFolded());
    try (SavedResNet model = SavedResNet.load(out)) {
      assertTrue(model.operationTypes().contains("FusedBatchNormV3"), model.operationTypes().toString());
    }
  }

  private static void assertSpec(TensorSpec spec, long... shape) {
    assertEquals("DT_FLOAT", spec.dtype());
    assertArrayEquals(shape, spec.shape());
  }
}
