package io.resnetspark.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnetspark.model.ParameterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The committed files made by {@code scripts/make_checkpoint_fixtures.py} and {@code make_reference_logits.py}. */
final class Fixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {
  }

  static Path checkpoint(String name) {
    return resource("/checkpoints/" + name);
  }

  static Path reference(String name) {
    return resource("/reference/" + name);
  }

  /** {@code expected.json}'s description of one file's tensors: key -> {dtype, shape, stride, offset, values}. */
  static JsonNode expectedTensors(String file) {
    return json(checkpoint("expected.json")).get("files").get(file).get("tensors");
  }

  static JsonNode json(Path path) {
    try {
      return JSON.readTree(path.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Shape equal, and every value equal to the float torch produced, bit for bit. */
  static void assertTensorEquals(JsonNode expected, TensorData actual, String key) {
    long[] shape = new long[expected.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = expected.get("shape").get(i).asLong();
    }
    assertArrayEquals(shape, actual.shape(), key + " shape");
    JsonNode values = expected.get("values");
    assertEquals(values.size(), actual.data().length, key + " element count");
    for (int i = 0; i < values.size(); i++) {
      assertEquals(Float.floatToIntBits((float) values.get(i).asDouble()), Float.floatToIntBits(actual.data()[i]),
          key + "[" + i + "] expected " + values.get(i).asDouble() + " got " + actual.data()[i]);
    }
  }

  /**
   * The small state_dict behind {@code checkpoints/java_written.*}: every rank from 0 to 4, an empty tensor, and
   * the awkward float32 values (signed zero, subnormals, extremes) a writer must not disturb.
   */
  static StateDict javaWrittenStateDict() {
    Map<String, TensorData> t = new LinkedHashMap<>();
    ParameterSpec conv = new ParameterSpec("conv.weight", new long[] {2, 3, 2, 2}, ParameterSpec.Kind.CONV_WEIGHT);
    t.put(conv.name(), new TensorData(conv.shape(), FormulaWeights.values(conv, 0)));
    t.put("fc.weight", new TensorData(new long[] {3, 4}, new float[] {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE,
        -Float.MAX_VALUE, 1e-38f, Float.MIN_NORMAL, 1.0f, -2.5f, 0.1f, 3.0e-5f, 65504.0f, 123456.789f}));
    t.put("fc.bias", new TensorData(new long[] {3}, new float[] {0.25f, -0.5f, 0.75f}));
    t.put("scalar", new TensorData(new long[] {}, new float[] {2.75f}));
    t.put("empty", new TensorData(new long[] {0, 3}, new float[0]));
    return new StateDict(t);
  }

  /** The JSON {@code --verify-java-written} compares torch's view of the files with: key -> {shape, values}. */
  static String javaWrittenJson(StateDict sd) {
    ObjectNode root = JSON.createObjectNode();
    sd.asMap().forEach((key, tensor) -> {
      ObjectNode entry = root.putObject(key);
      ArrayNode shape = entry.putArray("shape");
      for (long d : tensor.shape()) {
        shape.add(d);
      }
      ArrayNode values = entry.putArray("values");
      for (float v : tensor.data()) {
        values.add(v);
      }
    });
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path resource(String name) {
    URL url = Fixtures.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException(name + " is missing; run the scripts in scripts/ to make it");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
