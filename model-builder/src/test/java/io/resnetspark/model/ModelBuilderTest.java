package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.ModelBuilder.BuildRequest;
import io.resnetspark.model.runtime.SavedResNet;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build request becomes a SavedModel described by its metadata, or fails before anything is written. */
class ModelBuilderTest {
  private static final Architecture ARCH = Architecture.RESNET18;
  private static final int CLASSES = 10;

  @TempDir
  Path dir;

  @Test
  void metadataAndLabelsDescribeTheModelAndItsPreprocessing() throws IOException {
    Path out = dir.resolve("model");
    ModelBuilder.build(new BuildRequest(Architecture.RESNET50, null, 3, null, 9,
        PreprocessSpec.Preset.IMAGENET1K_V2, out, false));
    ModelMetadata m = ModelMetadata.read(out);
    assertEquals("resnet50", m.architecture());
    assertEquals(3, m.numClasses());
    assertEquals(Architecture.RESNET50.parameterCount(3), m.parameterCount());
    assertEquals(2048, m.featureDim());
    assertEquals(232, m.preprocessing().resizeSize());
    assertEquals(224, m.preprocessing().cropSize());
    assertEquals("bilinear", m.preprocessing().interpolation());
    assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, m.preprocessing().mean());
    assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, m.preprocessing().std());
    assertEquals("RGB", m.preprocessing().channelOrder());
    assertTrue(m.weights().isRandom());
    assertEquals(9L, m.weights().seed());
    assertEquals(BuildInfo.VERSION, m.builderVersion());
    assertTrue(m.batchNormFolded(), "exported models have their batch norms folded, and say so");
    assertEquals(List.of("class_0", "class_1", "class_2"), Files.readAllLines(out.resolve("assets/labels.txt")));
  }

  @Test
  void thousandClassModelsGetImageNetNames() throws IOException {
    Path out = dir.resolve("model");
    ModelBuilder.buildRandom(ARCH, 1000, 1, out);
    List<String> labels = Files.readAllLines(out.resolve("assets/labels.txt"));
    assertEquals(1000, labels.size());
    assertEquals("tabby", labels.get(281));
  }

  @Test
  void anExistingDirectoryIsRefusedUnlessOverwriteIsGiven() throws IOException {
    Path out = dir.resolve("model");
    ModelBuilder.buildRandom(ARCH, CLASSES, 1, out);
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
        () -> ModelBuilder.buildRandom(ARCH, CLASSES, 2, out));
    assertTrue(e.getReason().contains("--overwrite"), e.getReason());
    assertEquals(1L, ModelMetadata.read(out).weights().seed(), "the first model is untouched");

    ModelBuilder.build(new BuildRequest(ARCH, null, CLASSES, null, 2, PreprocessSpec.Preset.IMAGENET1K_V1, out,
        true));
    assertEquals(2L, ModelMetadata.read(out).weights().seed());
    assertEquals(List.of(out), siblings(), "no staging or old directories are left behind");
  }

  @Test
  void aFailedBuildLeavesNoDirectoryBehind() throws IOException {
    Path labels = Files.write(dir.resolve("labels.txt"), List.of("cat", "dog"));
    Path out = dir.resolve("model");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelBuilder.build(
        new BuildRequest(ARCH, null, CLASSES, labels, 0, PreprocessSpec.Preset.IMAGENET1K_V1, out, false)));
    assertTrue(e.getMessage().contains("2 lines") && e.getMessage().contains("10 classes"), e.getMessage());
    assertFalse(Files.exists(out));
    assertEquals(List.of(labels), siblings());
  }

  @Test
  void theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() throws IOException {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Path c = dir.resolve("c");
    ModelBuilder.buildRandom(ARCH, CLASSES, 5, a);
    ModelBuilder.buildRandom(ARCH, CLASSES, 5, b);
    ModelBuilder.buildRandom(ARCH, CLASSES, 6, c);
    FloatBuffer images = TestInputs.images(1, 32, 32);
    try (SavedResNet ma = SavedResNet.load(a); SavedResNet mb = SavedResNet.load(b);
         SavedResNet mc = SavedResNet.load(c)) {
      float[] la = ma.classify(images.duplicate(), 1, 32, 32).logits();
      assertArrayEquals(la, mb.classify(images.duplicate(), 1, 32, 32).logits());
      assertNotEquals(la[0], mc.classify(images.duplicate(), 1, 32, 32).logits()[0]);
    }
  }

  private List<Path> siblings() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
