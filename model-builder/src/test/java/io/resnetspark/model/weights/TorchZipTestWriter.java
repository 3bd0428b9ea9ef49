package io.resnetspark.model.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state_dict as {@code torch.save(state_dict, path)} does with PyTorch 1.13: a zip (entries stored, not
 * compressed) with {@code <stem>/data.pkl}, a protocol-2 pickle of an OrderedDict of
 * {@code torch._utils._rebuild_tensor_v2} calls, one float32 storage per tensor under {@code <stem>/data/<n>},
 * and {@code <stem>/version}. Test-only: it lets tests make full-size checkpoints without Python.
 *
 * <p>The output is deterministic (fixed entry times); {@code TorchZipTestWriterTest} keeps it byte-identical to
 * {@code checkpoints/java_written.pth}, which {@code scripts/make_checkpoint_fixtures.py --verify-java-written}
 * has loaded with real torch.
 */
public final class TorchZipTestWriter {

  private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 2, 1, 0, 0);
  private static final int CHUNK_FLOATS = 1 << 18;

  private TorchZipTestWriter() {
  }

  public static void write(StateDict stateDict, Path file) throws IOException {
    String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    List<TensorData> tensors = new ArrayList<>(stateDict.asMap().values());
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      storedEntry(zip, stem + "/data.pkl", pickle(stateDict));
      for (int i = 0; i < tensors.size(); i++) {
        float[] data = tensors.get(i).data();
        ZipEntry entry = new ZipEntry(stem + "/data/" + i);
        entry.setMethod(ZipEntry.STORED);
        entry.setTimeLocal(ENTRY_TIME);
        entry.setSize(4L * data.length);
        entry.setCompressedSize(4L * data.length);
        entry.setCrc(crc(data));
        zip.putNextEntry(entry);
        writeFloats(data, zip);
        zip.closeEntry();
      }
      storedEntry(zip, stem + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** The pickle torch.save writes for an OrderedDict of contiguous float32 tensors (without the memo). */
  static byte[] pickle(StateDict stateDict) {
    Pickle p = new Pickle();
    p.op(0x80).op(2);
    p.global("collections", "OrderedDict").op(')').op('R');
    p.op('(');
    int storage = 0;
    for (Map.Entry<String, TensorData> e : stateDict.asMap().entrySet()) {
      long[] shape = e.getValue().shape();
      p.unicode(e.getKey());
      p.global("torch._utils", "_rebuild_tensor_v2");
      p.op('(');
      p.op('(').unicode("storage").global("torch", "FloatStorage").unicode(Integer.toString(storage++))
          .unicode("cpu").integer(e.getValue().elementCount()).op('t');
      p.op('Q');
      p.integer(0);
      p.tuple(shape);
      p.tuple(contiguousStrides(shape));
      p.op(0x89);
      p.global("collections", "OrderedDict").op(')').op('R');
      p.op('t').op('R');
    }
    p.op('u').op('.');
    return p.bytes();
  }

  static long[] contiguousStrides(long[] shape) {
    long[] strides = new long[shape.length];
    long s = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      strides[d] = s;
      s *= shape[d];
    }
    return strides;
  }

  private static void storedEntry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setTimeLocal(ENTRY_TIME);
    entry.setSize(bytes.length);
    entry.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(bytes);
    zip.closeEntry();
  }

  private static long crc(float[] data) {
    CRC32 crc = new CRC32();
    ByteBuffer buffer = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < data.length; i += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, data.length - i);
      buffer.clear();
      buffer.asFloatBuffer().put(data, i, n);
      crc.update(buffer.array(), 0, 4 * n);
    }
    return crc.getValue();
  }

  /** Little-endian float32, in chunks, so a 100 MB tensor needs no 100 MB byte array. */
  static void writeFloats(float[] data, OutputStream out) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < data.length; i += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, data.length - i);
      buffer.clear();
      buffer.asFloatBuffer().put(data, i, n);
      out.write(buffer.array(), 0, 4 * n);
    }
  }

  /**
   * The few pickle opcodes torch.save's state_dict pickles use, encoded as Python's pickler encodes them; also the
   * way {@code RestrictedUnpicklerTest} spells its hand-made pickles.
   */
  static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int opcode) {
      out.write(opcode);
      return this;
    }

    Pickle raw(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    Pickle ascii(String text) {
      out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    Pickle global(String module, String name) {
      op('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Pickle unicode(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X');
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
      out.writeBytes(b);
      return this;
    }

    Pickle integer(long v) {
      if (v >= 0 && v < 256) {
        return op('K').op((int) v);
      }
      if (v >= 0 && v < 65536) {
        return op('M').op((int) (v & 0xff)).op((int) (v >>> 8));
      }
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        op('J');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        return this;
      }
      // LONG1 with the 8-byte two's complement; Python would trim it, readers do not care.
      op(0x8a).op(8);
      out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
      return this;
    }

    Pickle tuple(long[] values) {
      if (values.length == 0) {
        return op(')');
      }
      if (values.length > 3) {
        op('(');
      }
      for (long v : values) {
        integer(v);
      }
      return op(values.length > 3 ? 't' : 0x84 + values.length);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
