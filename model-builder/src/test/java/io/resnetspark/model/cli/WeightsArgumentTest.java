package io.resnetspark.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --weights} is a published weights name when it looks like one, and a file otherwise. */
class WeightsArgumentTest {
  @ParameterizedTest
  @ValueSource(strings = {"IMAGENET1K_V1", "IMAGENET1K_V2", "DEFAULT", "default", " imagenet1k_v2 "})
  void torchvisionsNamesAreNames(String value) {
    WeightsArgument w = WeightsArgument.parse(value);
    assertTrue(w.isNamed());
    assertNull(w.file());
    assertEquals(value.strip().toUpperCase(), w.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"resnet50-11ad3fa6.pth", "/models/w.safetensors", "./DEFAULT", "IMAGENET1K_V2.pth"})
  void anythingElseIsAFile(String value) {
    WeightsArgument w = WeightsArgument.parse(value);
    assertFalse(w.isNamed());
    assertEquals(Path.of(value), w.file());
    assertEquals(value, w.toString());
  }
}
