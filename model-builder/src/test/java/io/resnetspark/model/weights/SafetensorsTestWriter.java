package io.resnetspark.model.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a state_dict as a float32 {@code .safetensors} file, laid out as the reference implementation lays it out:
 * 8-byte little-endian header length, a JSON header padded with spaces to a multiple of 8 bytes, then the tensors
 * back to back in header order. Test-only; {@code scripts/make_checkpoint_fixtures.py --verify-java-written} parses
 * the committed {@code checkpoints/java_written.safetensors} independently.
 */
public final class SafetensorsTestWriter {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsTestWriter() {
  }

  public static void write(StateDict stateDict, Path file) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, TensorData> e : stateDict.asMap().entrySet()) {
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", "F32");
      var shape = entry.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long end = offset + 4L * e.getValue().elementCount();
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    StringBuilder text = new StringBuilder(JSON.writeValueAsString(header));
    while (text.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
      text.append(' ');
    }
    byte[] headerBytes = text.toString().getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
      out.write(headerBytes);
      for (TensorData t : stateDict.asMap().values()) {
        TorchZipTestWriter.writeFloats(t.data(), out);
      }
    }
  }
}
