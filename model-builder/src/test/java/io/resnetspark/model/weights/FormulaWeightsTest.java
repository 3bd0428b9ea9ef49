package io.resnetspark.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.resnetspark.model.Architecture;
import io.resnetspark.model.ParameterSpec;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java side of the formula must equal the numpy side bit for bit, or the parity tests compare different nets. */
class FormulaWeightsTest {

  @ParameterizedTest
  @ValueSource(strings = {"resnet18", "resnet50", "resnext50_32x4d", "wide_resnet50_2"})
  void weightsEqualTheScriptsSamplesBitForBit(String archId) {
    JsonNode reference = Fixtures.json(Fixtures.reference(archId + "_logits.json"));
    assertEquals(FormulaWeights.VERSION, reference.get("formula_version").asInt());
    List<ParameterSpec> specs = Architecture.fromId(archId).parameters(1000);
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = reference.get("weight_samples").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> sample = it.next();
      int k = indexOf(specs, sample.getKey());
      float[] values = FormulaWeights.values(specs.get(k), k);
      JsonNode indices = sample.getValue().get("indices");
      for (int j = 0; j < indices.size(); j++) {
        float expected = (float) sample.getValue().get("values").get(j).asDouble();
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(values[indices.get(j).asInt()]),
            sample.getKey() + "[" + indices.get(j).asInt() + "]");
        checked++;
      }
    }
    assertTrue(checked >= 40, "samples cover every kind of parameter: " + checked);
  }

  @ParameterizedTest
  @ValueSource(strings = {"resnet18", "resnet50"})
  void inputEqualsTheScriptsSamplesInNhwcLayout(String archId) {
    JsonNode input = Fixtures.json(Fixtures.reference(archId + "_logits.json")).get("input");
    int batch = input.get("batch").asInt();
    int height = input.get("height").asInt();
    int width = input.get("width").asInt();
    FloatBuffer nhwc = FormulaWeights.inputNhwc(batch, height, width);
    JsonNode indices = input.get("sample_nchw_indices");
    for (int j = 0; j < indices.size(); j++) {
      int nchw = indices.get(j).asInt();
      int x = nchw % width;
      int y = nchw / width % height;
      int c = nchw / (width * height) % 3;
      int n = nchw / (width * height * 3);
      float expected = (float) input.get("sample_values").get(j).asDouble();
      float actual = nhwc.get(((n * height + y) * width + x) * 3 + c);
      assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), "NCHW index " + nchw);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"resnet18", "resnext50_32x4d"})
  void createFollowsTheArchitectureTable(String archId) {
    Architecture arch = Architecture.fromId(archId);
    StateDict sd = FormulaWeights.create(arch, 7);
    List<ParameterSpec> specs = arch.parameters(7);
    assertEquals(specs.stream().map(ParameterSpec::name).toList(), List.copyOf(sd.keys()));
    for (ParameterSpec p : specs) {
      assertTrue(sd.get(p.name()).hasShape(p.shape()), p.name());
    }
  }

  private static int indexOf(List<ParameterSpec> specs, String name) {
    for (int k = 0; k < specs.size(); k++) {
      if (specs.get(k).name().equals(name)) {
        return k;
      }
    }
    throw new AssertionError("no parameter " + name);
  }
}
