package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The architecture table reproduces torchvision 0.14 exactly. Expected values come from real torchvision via
 * {@code scripts/make_architecture_reference.py} ({@code reference/architectures.json}).
 */
class ArchitectureTest {
  private static JsonNode reference;

  @BeforeAll
  static void readReference() throws IOException {
    try (InputStream in = ArchitectureTest.class.getResourceAsStream("/reference/architectures.json")) {
      reference = new ObjectMapper().readTree(in).get("architectures");
    }
  }

  @Test
  void parameterCountsAreTheOnesTorchvisionPublishes() {
    Map<String, Long> published = Map.of(
        "resnet18", 11_689_512L, "resnet34", 21_797_672L, "resnet50", 25_557_032L,
        "resnet101", 44_549_160L, "resnet152", 60_192_808L, "wide_resnet50_2", 68_883_240L,
        "wide_resnet101_2", 126_886_696L, "resnext50_32x4d", 25_028_904L, "resnext101_32x8d", 88_791_336L);
    published.forEach((id, count) -> assertEquals(count, Architecture.fromId(id).parameterCount(1000), id));
  }

  @ParameterizedTest
  @EnumSource(Architecture.class)
  void parameterCountsEqualTorchvisionForAnyClassCount(Architecture arch) {
    JsonNode ref = reference.get(arch.id());
    assertEquals(ref.get("parameters_1000").asLong(), arch.parameterCount(1000));
    assertEquals(ref.get("parameters_10").asLong(), arch.parameterCount(10));
  }

  @ParameterizedTest
  @EnumSource(Architecture.class)
  void parametersAreTorchvisionsStateDictKeysAndShapesInOrder(Architecture arch) {
    JsonNode expected = reference.get(arch.id()).get("state_dict");
    List<ParameterSpec> actual = arch.parameters(1000);
    assertEquals(expected.size(), actual.size(), "number of state_dict entries");
    for (int i = 0; i < actual.size(); i++) {
      JsonNode entry = expected.get(i);
      assertEquals(entry.get(0).asText(), actual.get(i).name(), "key " + i);
      long[] shape = new long[entry.get(1).size()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = entry.get(1).get(d).asLong();
      }
      assertArrayEquals(shape, actual.get(i).shape(), actual.get(i).name());
    }
  }

  @ParameterizedTest
  @EnumSource(Architecture.class)
  void stageShapesMatchTorchvisionForSquareAndOddInputs(Architecture arch) {
    JsonNode shapes = reference.get(arch.id()).get("stage_shapes");
    assertShapes(shapes.get("224x224"), arch.stageShapes(224, 224));
    assertShapes(shapes.get("193x257"), arch.stageShapes(193, 257));
  }

  @ParameterizedTest
  @EnumSource(Architecture.class)
  void multiplyAccumulatesMatchTorchvisionAt224(Architecture arch) {
    assertEquals(reference.get(arch.id()).get("macs_224").asLong(), arch.macs(224, 224, 1000));
  }

  @Test
  void resnet50IsAbout4point1GigaMacs() {
    assertEquals(4.09, Architecture.RESNET50.macs(224, 224, 1000) / 1e9, 0.005);
  }

  @Test
  void bottleneckIsVersion1point5WithTheStrideOnThe3x3() {
    BlockSpec firstOfLayer2 = Architecture.RESNET50.blocks().get(3);
    assertEquals("layer2.0", firstOfLayer2.prefix());
    assertEquals(2, firstOfLayer2.stride());
    assertTrue(firstOfLayer2.projection());
  }

  @Test
  void projectionShortcutsOnlyWhereStrideOrChannelsChange() {
    long basicProjections = Architecture.RESNET18.blocks().stream().filter(BlockSpec::projection).count();
    long bottleneckProjections =
        Architecture.RESNET50.blocks().stream().filter(BlockSpec::projection).count();
    assertEquals(3, basicProjections, "layer1 of resnet18 keeps 64 channels at stride 1");
    assertEquals(4, bottleneckProjections, "layer1 of resnet50 widens 64 to 256");
  }

  @Test
  void unknownArchitectureNamesTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.fromId("resnet51"));
    assertTrue(e.getMessage().contains("resnet51") && e.getMessage().contains("wide_resnet101_2"), e.getMessage());
  }

  private static void assertShapes(JsonNode expected, List<int[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < actual.size(); i++) {
      int[] e = {expected.get(i).get(0).asInt(), expected.get(i).get(1).asInt(), expected.get(i).get(2).asInt()};
      assertArrayEquals(e, actual.get(i), "stage " + i);
    }
  }
}
