package io.resnetspark.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.model.Architecture;
import io.resnetspark.model.PreprocessSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The table of published weights against torchvision's own enums, as {@code scripts/make_weights_reference.py}
 * read them from Debian's torchvision into {@code reference/weights.json}.
 */
class TorchvisionWeightsTest {
  static JsonNode reference;

  @BeforeAll
  static void readReference() throws IOException {
    try (InputStream in = TorchvisionWeightsTest.class.getResourceAsStream("/reference/weights.json")) {
      reference = new ObjectMapper().readTree(in).get("architectures");
    }
  }

  @Test
  void everyArchitectureHasExactlyTorchvisionsWeightsWithItsUrlsDigestsAndTransforms() {
    for (Architecture arch : Architecture.values()) {
      JsonNode published = reference.get(arch.id());
      List<TorchvisionWeights> rows = TorchvisionWeights.forArchitecture(arch);
      assertEquals(published.size(), rows.size(), arch.id());
      for (int i = 0; i < rows.size(); i++) {
        TorchvisionWeights row = rows.get(i);
        JsonNode p = published.get(i);
        String what = arch.id() + " " + row.weightsName();
        assertEquals(p.get("name").asText(), row.weightsName(), what);
        assertEquals(p.get("url").asText(), row.url(TorchvisionWeights.TORCHVISION_BASE_URL), what);
        assertEquals(p.get("file_name").asText(), row.fileName(), what);
        assertEquals(p.get("sha256_prefix").asText(), row.digestPrefix(), what);
        assertEquals(p.get("resize_size").get(0).asInt(), row.resizeSize(), what);
        assertEquals(p.get("crop_size").get(0).asInt(), row.cropSize(), what);
        assertEquals(p.get("default").asBoolean(), row.isDefault(), what);
        assertEquals(1000, p.get("num_classes").asInt(), what);
      }
    }
  }

  @Test
  void eachWeightsPresetIsTheTransformTorchvisionEvaluatedThemWith() {
    for (TorchvisionWeights row : TorchvisionWeights.values()) {
      JsonNode p = published(row);
      PreprocessSpec spec = row.preset().spec();
      String what = row.name();
      assertEquals(p.get("resize_size").get(0).asInt(), spec.resizeSize(), what);
      assertEquals(p.get("crop_size").get(0).asInt(), spec.cropSize(), what);
      assertEquals(p.get("interpolation").asText(), spec.interpolation(), what);
      assertArrayEquals(floats(p.get("mean")), spec.mean(), what);
      assertArrayEquals(floats(p.get("std")), spec.std(), what);
    }
    assertEquals(232, TorchvisionWeights.of(Architecture.RESNET50, "IMAGENET1K_V2").preset().spec().resizeSize());
  }

  @Test
  void defaultIsTorchvisionsDefaultAndNamesAreCaseInsensitive() {
    assertEquals(TorchvisionWeights.RESNET50_IMAGENET1K_V2, TorchvisionWeights.of(Architecture.RESNET50, "DEFAULT"));
    assertEquals(TorchvisionWeights.RESNET18_IMAGENET1K_V1, TorchvisionWeights.of(Architecture.RESNET18, "default"));
    assertEquals(TorchvisionWeights.RESNET50_IMAGENET1K_V1,
        TorchvisionWeights.of(Architecture.RESNET50, "imagenet1k_v1"));
  }

  @Test
  void weightsTorchvisionDoesNotPublishAreRefusedWithTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TorchvisionWeights.of(Architecture.RESNET18, "IMAGENET1K_V2"));
    assertEquals("torchvision publishes no IMAGENET1K_V2 weights for resnet18; it has IMAGENET1K_V1 and DEFAULT",
        e.getMessage());
  }

  @Test
  void theDigestPrefixIsReadFromTheFileName() {
    assertEquals("11ad3fa6", TorchvisionWeights.digestPrefix("resnet50-11ad3fa6.pth"));
    assertEquals("110c445d", TorchvisionWeights.digestPrefix("resnext101_32x8d-110c445d.pth"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TorchvisionWeights.digestPrefix("resnet50.pth"))
        .getMessage().contains("carries no digest"));
  }

  @Test
  void aMirrorUrlWorksWithOrWithoutItsTrailingSlash() {
    assertEquals("http://mirror/models/resnet50-11ad3fa6.pth",
        TorchvisionWeights.RESNET50_IMAGENET1K_V2.url("http://mirror/models"));
    assertEquals("http://mirror/models/resnet50-11ad3fa6.pth",
        TorchvisionWeights.RESNET50_IMAGENET1K_V2.url("http://mirror/models/"));
  }

  private static JsonNode published(TorchvisionWeights row) {
    for (JsonNode p : reference.get(row.architecture().id())) {
      if (p.get("name").asText().equals(row.weightsName())) {
        return p;
      }
    }
    throw new AssertionError("torchvision has no " + row);
  }

  private static float[] floats(JsonNode array) {
    float[] result = new float[array.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = (float) array.get(i).asDouble();
    }
    return result;
  }
}
