package io.resnetspark.model.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ConfigProto;

class SavedResNetTest {
  @TempDir
  static Path tmp;
  private static Path model;

  @BeforeAll
  static void build() throws IOException {
    model = tmp.resolve("resnet18");
    ModelBuilder.buildRandom(Architecture.RESNET18, 7, 3, model);
  }

  private static FloatBuffer randomImages(int count, int size) {
    Random random = new Random(11);
    float[] pixels = new float[count * size * size * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextGaussian();
    }
    return FloatBuffer.wrap(pixels);
  }

  @Test
  void predictGivesTheSignaturesOutputsFromOneRun() throws IOException {
    try (SavedResNet net = SavedResNet.load(model, SavedResNet.Options.cpu(1, 2))) {
      FloatBuffer images = randomImages(3, 40);
      SavedResNet.Prediction both = net.predict(images, 3, 40, 40, true);
      SavedResNet.Classification classified = net.classify(images, 3, 40, 40);
      float[] embeddings = net.embed(images, 3, 40, 40);

      assertEquals(7, both.classes());
      assertArrayEquals(classified.probabilities(), both.probabilities());
      assertArrayEquals(embeddings, both.embeddings());
      assertEquals(3 * 512, both.embeddings().length);
      assertNull(net.predict(images, 3, 40, 40, false).embeddings());
      assertEquals(0, images.position(), "the caller's buffer position is left alone");
    }
  }

  @Test
  void pixelsAreReadFromPositionToLimitWhateverBacksTheBuffer() throws IOException {
    try (SavedResNet net = SavedResNet.load(model, SavedResNet.Options.cpu(1, 1))) {
      FloatBuffer images = randomImages(3, 40);
      int one = 40 * 40 * 3;
      float[] expected = net.classify(images.duplicate().position(one).limit(2 * one).slice(), 1, 40, 40).logits();

      // an array-backed buffer with an array offset and a position (copied in bulk) ...
      FloatBuffer offsetView = images.duplicate().position(one / 2).slice().position(one - one / 2).limit(
          2 * one - one / 2);
      assertTrue(offsetView.hasArray() && offsetView.arrayOffset() > 0);
      assertArrayEquals(expected, net.classify(offsetView, 1, 40, 40).logits());
      assertEquals(one - one / 2, offsetView.position(), "the caller's position is left alone");

      // ... and a direct buffer (copied through NIO) read the same floats
      FloatBuffer direct = ByteBuffer.allocateDirect(one * Float.BYTES).order(ByteOrder.nativeOrder())
          .asFloatBuffer().put(images.duplicate().position(one).limit(2 * one)).flip();
      assertArrayEquals(expected, net.classify(direct, 1, 40, 40).logits());
    }
  }

  @Test
  void cpuOptionsHideEveryGpuAndSetTheThreadPools() {
    ConfigProto config = SavedResNet.Options.cpu(1, 2).toConfigProto();
    assertEquals(1, config.getIntraOpParallelismThreads());
    assertEquals(2, config.getInterOpParallelismThreads());
    assertEquals(0, config.getDeviceCountOrThrow("GPU"));
  }

  @Test
  void cpuSessionsRunOnlyGrapplersRemapperAndGpuSessionsItsDefaults() {
    // the remapper's fusions are the whole of grappler's gain on CPU; its other passes copy the constant weights
    assertEquals(List.of("remap"),
        SavedResNet.Options.cpu(2, 2).toConfigProto().getGraphOptions().getRewriteOptions().getOptimizersList());
    assertTrue(new SavedResNet.Options(2, 2, "0").toConfigProto().getGraphOptions().getRewriteOptions()
        .getOptimizersList().isEmpty());
  }

  @Test
  void gpuOptionsShowOnlyTheAssignedDeviceAndGrowMemoryOnDemand() {
    ConfigProto config = new SavedResNet.Options(2, 2, "1").toConfigProto();
    assertEquals("1", config.getGpuOptions().getVisibleDeviceList());
    assertTrue(config.getGpuOptions().getAllowGrowth());
    assertTrue(config.getAllowSoftPlacement());
    assertTrue(config.getDeviceCountMap().isEmpty());
  }

  @Test
  void aRequestedGpuThatThisBuildLacksFallsBackToTheCpu() throws IOException {
    try (SavedResNet net = SavedResNet.load(model, new SavedResNet.Options(1, 1, "0"))) {
      Set<String> devices = net.devices();
      assertFalse(devices.isEmpty());
      assertTrue(devices.stream().allMatch(d -> d.contains("CPU")), devices.toString());
      assertEquals(7, net.predict(randomImages(1, 32), 1, 32, 32, false).probabilities().length);
    }
  }

  @Test
  void optionsRefuseNonsense() {
    assertThrows(IllegalArgumentException.class, () -> SavedResNet.Options.cpu(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new SavedResNet.Options(1, 1, "GPU-1"));
  }
}
