package io.resnetspark.model.weights;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ParameterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StateDictValidatorTest {

  private static String refusal(Architecture arch, int classes, StateDict sd) {
    return assertThrows(CheckpointException.class, () -> StateDictValidator.validate(arch, classes, sd)).getMessage();
  }

  private static Map<String, TensorData> mutable(StateDict sd) {
    return new LinkedHashMap<>(sd.asMap());
  }

  @Test
  void acceptsAMatchingStateDict() {
    StateDict sd = FormulaWeights.create(Architecture.RESNET18, 10);
    assertDoesNotThrow(() -> StateDictValidator.validate(Architecture.RESNET18, 10, sd));
  }

  @Test
  void infersTheClassCountFromTheHead() throws CheckpointException {
    assertEquals(10, StateDictValidator.inferNumClasses(FormulaWeights.create(Architecture.RESNET18, 10)));
    TensorData flat = new TensorData(new long[] {4}, new float[4]);
    String message = assertThrows(CheckpointException.class,
        () -> StateDictValidator.inferNumClasses(new StateDict(Map.of("fc.weight", flat)))).getMessage();
    assertTrue(message.contains("[4]") && message.contains("[classes, features]"), message);
    message = assertThrows(CheckpointException.class,
        () -> StateDictValidator.inferNumClasses(new StateDict(Map.of("head.weight", flat)))).getMessage();
    assertTrue(message.contains("no 'fc.weight'") && message.contains("head.weight"), message);
  }

  @Test
  void reportsMissingUnexpectedAndMismatchedTogether() {
    Map<String, TensorData> t = mutable(FormulaWeights.create(Architecture.RESNET18, 10));
    t.remove("layer2.0.downsample.1.running_var");
    t.put("extra.weight", new TensorData(new long[] {1}, new float[1]));
    t.put("bn1.bias", new TensorData(new long[] {32}, new float[32]));
    String message = refusal(Architecture.RESNET18, 10, new StateDict(t));
    assertTrue(message.startsWith("the checkpoint does not fit resnet18 with 10 classes: 1 missing keys, "
        + "1 unexpected keys, 1 shape mismatches."), message);
    assertTrue(message.contains("missing keys (1):\n    layer2.0.downsample.1.running_var"), message);
    assertTrue(message.contains("unexpected keys (1):\n    extra.weight"), message);
    assertTrue(message.contains("bn1.bias: checkpoint [32], resnet18 expects [64]"), message);
  }

  @Test
  void aResnet50CheckpointGivenAsResnet18NamesTheRightArchitecture() {
    String message = refusal(Architecture.RESNET18, 1000, FormulaWeights.create(Architecture.RESNET50, 1000));
    assertTrue(message.lines().findFirst().orElseThrow()
        .endsWith("It looks like a resnet50 checkpoint: use --arch resnet50."), message);
    // resnet50 has 161 keys resnet18 lacks: the list stops after 20 and counts the rest.
    assertTrue(message.contains("\n    ... and "), message);
    long listedUnexpected = message.lines().dropWhile(l -> !l.startsWith("  unexpected keys"))
        .skip(1).takeWhile(l -> l.startsWith("    ")).count();
    assertEquals(StateDictValidator.MAX_LISTED + 1, listedUnexpected);
  }

  @Test
  void aDifferentHeadSizeSuggestsNumClasses() {
    String message = refusal(Architecture.RESNET18, 1000, FormulaWeights.create(Architecture.RESNET18, 10));
    assertTrue(message.contains("Its head has 10 classes: use --num-classes 10"), message);
    assertTrue(message.contains("fc.weight: checkpoint [10, 512], resnet18 expects [1000, 512]"), message);
  }

  @Test
  void aCommonForeignPrefixIsPointedOut() {
    Map<String, TensorData> prefixed = new LinkedHashMap<>();
    FormulaWeights.create(Architecture.RESNET18, 10).asMap().forEach((k, v) -> prefixed.put("model." + k, v));
    String message = refusal(Architecture.RESNET18, 10, new StateDict(prefixed));
    assertTrue(message.contains("Every key starts with 'model.'"), message);
  }

  @Test
  void fitsOnlyTheExactTable() {
    StateDict sd = FormulaWeights.create(Architecture.RESNEXT50_32X4D, 1000);
    assertTrue(StateDictValidator.fits(Architecture.RESNEXT50_32X4D, 1000, sd));
    for (Architecture other : Architecture.values()) {
      if (other != Architecture.RESNEXT50_32X4D) {
        assertTrue(!StateDictValidator.fits(other, 1000, sd), other.id());
      }
    }
    List<ParameterSpec> specs = Architecture.RESNEXT50_32X4D.parameters(1000);
    assertEquals(specs.size(), sd.size());
  }
}
