package io.resnetspark.model.weights;

import static io.resnetspark.model.weights.Fixtures.assertTensorEquals;
import static io.resnetspark.model.weights.Fixtures.checkpoint;
import static io.resnetspark.model.weights.Fixtures.expectedTensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads safetensors files laid out by scripts/make_checkpoint_fixtures.py and compares with torch's values. */
class SafetensorsReaderTest {

  @TempDir
  Path tmp;

  private static String refusal(Path file) {
    return assertThrows(CheckpointException.class, () -> SafetensorsReader.read(file)).getMessage();
  }

  /** A file with the given header text and {@code dataBytes} zero bytes of data. */
  private Path withHeader(String json, int dataBytes) throws IOException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    Path file = tmp.resolve("t.safetensors");
    Files.write(file, b.array());
    return file;
  }

  @Test
  void readsF32F16AndBf16ExactlyInHeaderOrder() throws IOException {
    StateDict sd = SafetensorsReader.read(checkpoint("tiny.safetensors"));
    JsonNode expected = expectedTensors("tiny.safetensors");
    List<String> order = new ArrayList<>();
    Fixtures.json(checkpoint("expected.json")).get("files").get("tiny.safetensors").get("order")
        .forEach(n -> order.add(n.asText()));
    assertEquals(order, List.copyOf(sd.keys()), "__metadata__ ignored, counter skipped, order kept");
    for (String key : order) {
      assertTensorEquals(expected.get(key), sd.get(key), key);
    }
  }

  @Test
  void keepsScalarsAndEmptyTensors() throws IOException {
    StateDict sd = SafetensorsReader.read(checkpoint("tiny.safetensors"));
    assertEquals(0, sd.get("scalar").shape().length);
    assertEquals(1, sd.get("scalar").data().length);
    assertEquals("[0, 3]", sd.get("empty").shapeString());
  }

  @Test
  void skipsInt64BatchNormCountersButRefusesOtherIntegerTensors() throws IOException {
    assertFalse(SafetensorsReader.read(checkpoint("tiny.safetensors")).contains("bn.num_batches_tracked"));
    String message = refusal(checkpoint("int_weights.safetensors"));
    assertTrue(message.contains("tensor 'fc.bias' is int64 (I64)"), message);
  }

  @Test
  void refusesFloat64NamingTensorAndDtype() {
    String message = refusal(checkpoint("wrong_dtype.safetensors"));
    assertTrue(message.contains("wrong_dtype.safetensors: tensor 'conv1.weight' is float64 (F64)"), message);
  }

  @Test
  void refusesDtypesItDoesNotKnow() throws IOException {
    Path file = withHeader("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
    assertTrue(refusal(file).contains("tensor 'w' has dtype F8_E4M3"), refusal(file));
  }

  @Test
  void aTruncatedDataSectionIsReportedBeforeAnythingIsRead() {
    String message = refusal(checkpoint("truncated.safetensors"));
    assertTrue(message.contains("the file is truncated") && message.contains("bytes of data"), message);
  }

  @Test
  void aTruncatedHeaderIsReported() {
    String message = refusal(checkpoint("truncated_header.safetensors"));
    assertTrue(message.contains("header runs past the end") && message.contains("truncated"), message);
  }

  @Test
  void offsetsThatDisagreeWithShapeAndDtypeAreRefused() throws IOException {
    Path file = withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 16);
    assertTrue(refusal(file).contains("need 16 bytes"), refusal(file));
  }

  @Test
  void duplicateKeysAndNonJsonHeadersAreRefused() throws IOException {
    String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    Path duplicate = withHeader("{\"w\":" + entry + ",\"w\":" + entry + "}", 4);
    assertTrue(refusal(duplicate).contains("not valid JSON") && refusal(duplicate).contains("Duplicate"),
        refusal(duplicate));
    Path garbage = withHeader("{not json", 0);
    assertTrue(refusal(garbage).contains("not valid JSON"), refusal(garbage));
  }

  @Test
  void anImplausibleHeaderLengthIsNotSafetensors() throws IOException {
    Path file = tmp.resolve("huge.safetensors");
    Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
    assertTrue(refusal(file).contains("header length 18446744073709551615 is not plausible"), refusal(file));
    assertFalse(SafetensorsReader.looksLikeSafetensors(Files.readAllBytes(file)));
    assertTrue(SafetensorsReader.looksLikeSafetensors(Files.readAllBytes(checkpoint("tiny.safetensors"))));
  }
}
