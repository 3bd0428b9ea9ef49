package io.resnetspark.model.weights;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code .safetensors} files (the format of the Hugging Face hub and timm): an unsigned 64-bit little-endian
 * header length, a JSON header mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}
 * (relative to the end of the header), then the raw little-endian tensor bytes.
 *
 * <p>Every offset is checked against the file's size before anything is read, so a truncated download fails with a
 * message instead of garbage. Each tensor is memory-mapped on its own and decoded straight into its float array,
 * so reading needs no heap beyond the weights themselves. F32, F16 and BF16 widen to float32 exactly; I64 is
 * allowed only for {@code num_batches_tracked} counters, which are skipped; any other dtype is refused, naming the
 * tensor. {@code __metadata__} is ignored.
 */
public final class SafetensorsReader {

  /** The format's own cap on the header, which keeps a corrupt length from allocating gigabytes. */
  static final long MAX_HEADER_BYTES = 100L << 20;

  private static final int MAP_CHUNK_BYTES = 1 << 30;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private SafetensorsReader() {
  }

  /** True if the first bytes look like a safetensors file: a plausible header length, then a JSON object. */
  static boolean looksLikeSafetensors(byte[] head) {
    if (head.length < 9 || head[8] != '{') {
      return false;
    }
    long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return headerLength >= 2 && headerLength <= MAX_HEADER_BYTES;
  }

  /**
   * Reads every tensor of a safetensors file, in header order.
   *
   * @throws CheckpointException if the file is truncated, its header is malformed, or a tensor has a dtype that is
   *     not a float of at most 32 bits
   */
  public static StateDict read(Path file) throws IOException {
    String name = file.getFileName().toString();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      if (fileSize < 8) {
        throw new CheckpointException(name + " is " + fileSize + " bytes: too short for a safetensors file");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0, name);
      long headerLength = lengthBytes.flip().getLong();
      if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
        throw new CheckpointException(name + ": header length " + Long.toUnsignedString(headerLength)
            + " is not plausible; not a safetensors file, or damaged");
      }
      if (8 + headerLength > fileSize) {
        throw new CheckpointException(name + ": the " + headerLength + "-byte header runs past the end of the "
            + fileSize + "-byte file; the file is truncated");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
      readFully(channel, headerBytes, 8, name);
      JsonNode header = parseHeader(headerBytes.array(), name);
      long dataStart = 8 + headerLength;
      long dataSize = fileSize - dataStart;

      Map<String, TensorData> tensors = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String key = field.getKey();
        if (key.equals("__metadata__")) {
          continue;
        }
        Entry entry = entry(key, field.getValue(), name);
        if (entry.end > dataSize) {
          throw new CheckpointException(name + ": tensor '" + key + "' ends at data byte " + entry.end + " but the "
              + "file holds only " + dataSize + " bytes of data; the file is truncated");
        }
        if (entry.type == ElementType.INT64 && ElementType.isCounter(key)) {
          continue;
        }
        if (!entry.type.widensToFloat()) {
          throw ElementType.unsupported(name, key, entry.type);
        }
        tensors.put(key, readTensor(channel, dataStart, entry));
      }
      return new StateDict(tensors);
    }
  }

  private record Entry(ElementType type, long[] shape, long begin, long end) {
  }

  private static JsonNode parseHeader(byte[] bytes, String name) throws CheckpointException {
    JsonNode header;
    try {
      header = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(name + ": the header is not valid JSON (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw new CheckpointException(name + ": the header cannot be parsed (" + e.getMessage() + ")", e);
    }
    if (header == null || !header.isObject()) {
      throw new CheckpointException(name + ": the header is not a JSON object");
    }
    return header;
  }

  private static Entry entry(String key, JsonNode node, String name) throws CheckpointException {
    JsonNode dtype = node.get("dtype");
    JsonNode shape = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null
        || !offsets.isArray() || offsets.size() != 2) {
      throw new CheckpointException(name + ": header entry '" + key + "' needs dtype, shape and data_offsets [begin, "
          + "end]");
    }
    ElementType type = ElementType.fromSafetensors(dtype.asText());
    if (type == null) {
      throw new CheckpointException(name + ": tensor '" + key + "' has dtype " + dtype.asText() + "; only F32, F16 "
          + "and BF16 weights can be imported");
    }
    long[] dims = new long[shape.size()];
    long count = 1;
    try {
      for (int i = 0; i < dims.length; i++) {
        dims[i] = nonNegative(shape.get(i), key, "shape", name);
        count = Math.multiplyExact(count, dims[i]);
      }
      long begin = nonNegative(offsets.get(0), key, "data_offsets", name);
      long end = nonNegative(offsets.get(1), key, "data_offsets", name);
      long bytes = Math.multiplyExact(count, type.size);
      if (end < begin || end - begin != bytes) {
        throw new CheckpointException(name + ": tensor '" + key + "' has data_offsets [" + begin + ", " + end + "] but "
            + "its shape and dtype need " + bytes + " bytes; the header is inconsistent");
      }
      if (count > Integer.MAX_VALUE - 8) {
        throw new CheckpointException(name + ": tensor '" + key + "' has " + count + " elements, more than a Java "
            + "array holds");
      }
      return new Entry(type, dims, begin, end);
    } catch (ArithmeticException e) {
      throw new CheckpointException(name + ": tensor '" + key + "' has an impossible shape " + shape);
    }
  }

  private static long nonNegative(JsonNode n, String key, String field, String name) throws CheckpointException {
    if (n == null || !n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 0) {
      throw new CheckpointException(name + ": tensor '" + key + "' has a bad " + field + " value " + n);
    }
    return n.asLong();
  }

  private static TensorData readTensor(FileChannel channel, long dataStart, Entry entry) throws IOException {
    int count = (int) ((entry.end - entry.begin) / entry.type.size);
    float[] values = new float[count];
    int done = 0;
    while (done < count) {
      // One mapping may not exceed 2 GiB; ResNet tensors never come close, but nothing here assumes it.
      int n = Math.min(count - done, MAP_CHUNK_BYTES / entry.type.size);
      ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY,
          dataStart + entry.begin + (long) done * entry.type.size, (long) n * entry.type.size)
          .order(ByteOrder.LITTLE_ENDIAN);
      entry.type.decode(mapped, values, done, n);
      done += n;
    }
    return new TensorData(entry.shape, values);
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position, String name)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new CheckpointException(name + " ends unexpectedly; the file is truncated");
      }
      at += n;
    }
  }
}
