package io.resnetspark.model.weights;

import io.resnetspark.model.weights.RestrictedUnpickler.StorageRef;
import io.resnetspark.model.weights.RestrictedUnpickler.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the zip checkpoints {@code torch.save} writes since PyTorch 1.6: {@code <dir>/data.pkl} (the object, as a
 * pickle whose tensors point at storages), {@code <dir>/data/<key>} (each storage's raw bytes) and
 * {@code <dir>/version}. The top folder's name varies ({@code archive}, or the file's stem such as
 * {@code resnet50-11ad3fa6}), so it is found, not assumed.
 *
 * <p>The pickle is read by {@link RestrictedUnpickler}, which refuses every global a state_dict does not need. The
 * state_dict is the top-level dict if all its values are tensors, else its {@code state_dict} or {@code model}
 * entry (training checkpoints); other entries (optimizer state, epoch...) are never materialised. Each storage is
 * read once and only if a kept tensor uses it; tensors that view it with an offset, strides (a transposed or
 * channels-last tensor) or alongside other tensors are copied out in row-major order. float16 and bfloat16 widen
 * to float32 exactly; int64 {@code num_batches_tracked} counters are skipped.
 */
public final class TorchCheckpointReader {

  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
  /** torch.save's legacy format starts with this pickled magic number (protocol 2, LONG1 0x1950a86a20f9469cfc6c). */
  private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c,
      0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
  private static final String RESAVE_HINT =
      "re-save it with a recent torch as a zip checkpoint of the weights only: "
          + "torch.save(model.state_dict(), 'weights.pth')";
  private static final int MAX_PICKLE_BYTES = 256 << 20;
  private static final int CHUNK_BYTES = 1 << 20;

  private TorchCheckpointReader() {
  }

  /** True if the first bytes are a zip local file header, as in every torch.save file since PyTorch 1.6. */
  static boolean isZip(byte[] head) {
    return startsWith(head, ZIP_MAGIC);
  }

  /** True if the file starts like a pickle (legacy torch.save files and plain pickles do). */
  static boolean isPickle(byte[] head) {
    return head.length > 0 && (head[0] & 0xff) == 0x80;
  }

  /**
   * Reads the state_dict of a torch.save zip checkpoint.
   *
   * @throws CheckpointException if the file is not such a checkpoint, is damaged or truncated, names a refused
   *     global, or holds a tensor of an unsupported dtype
   */
  public static StateDict read(Path file) throws IOException {
    String name = file.getFileName().toString();
    byte[] head = readHead(file, LEGACY_MAGIC.length);
    if (startsWith(head, LEGACY_MAGIC)) {
      throw new CheckpointException(name + " uses torch.save's legacy (pre-1.6, non-zip) format, which is not "
          + "read; " + RESAVE_HINT);
    }
    if (isPickle(head)) {
      throw new CheckpointException(name + " is a bare pickle, not a torch.save zip checkpoint; " + RESAVE_HINT);
    }
    if (!isZip(head)) {
      throw new CheckpointException(name + " is not a PyTorch zip checkpoint (it does not start with a zip header)");
    }
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new CheckpointException(name + " is not a complete zip archive (truncated or damaged download?): "
          + e.getMessage(), e);
    }
    try (zip) {
      String dir = archiveFolder(zip, name);
      ByteOrder order = byteOrder(zip, dir, name);
      Object root;
      try {
        root = RestrictedUnpickler.load(readEntry(zip, zip.getEntry(dir + "data.pkl"), name));
      } catch (CheckpointException e) {
        throw new CheckpointException(name + ": " + e.getMessage(), e);
      }
      Map<String, TensorRef> tensors = selectStateDict(root, name);
      return materialise(zip, dir, tensors, order, name);
    }
  }

  /** The folder that holds data.pkl; exactly one, one level deep. */
  private static String archiveFolder(ZipFile zip, String name) throws CheckpointException {
    List<String> folders = new ArrayList<>();
    boolean torchScript = false;
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      String entry = e.nextElement().getName();
      int slash = entry.indexOf('/');
      if (slash > 0 && entry.substring(slash + 1).equals("data.pkl")) {
        folders.add(entry.substring(0, slash + 1));
      }
      if (slash > 0 && (entry.substring(slash + 1).equals("constants.pkl")
          || entry.substring(slash + 1).startsWith("code/"))) {
        torchScript = true;
      }
    }
    if (torchScript) {
      throw new CheckpointException(name + " is a TorchScript archive (torch.jit.save), not a state_dict; "
          + "load it in Python and " + RESAVE_HINT);
    }
    if (folders.size() != 1) {
      throw new CheckpointException(name + " is a zip file but not a torch.save checkpoint (expected one "
          + "<folder>/data.pkl entry, found " + folders.size() + ")");
    }
    return folders.get(0);
  }

  /** PyTorch 2 records the byte order of the storages; older files are little-endian. */
  private static ByteOrder byteOrder(ZipFile zip, String dir, String name) throws IOException {
    ZipEntry entry = zip.getEntry(dir + "byteorder");
    if (entry == null) {
      return ByteOrder.LITTLE_ENDIAN;
    }
    String value = new String(readEntry(zip, entry, name), StandardCharsets.US_ASCII).trim();
    return switch (value) {
      case "little" -> ByteOrder.LITTLE_ENDIAN;
      case "big" -> ByteOrder.BIG_ENDIAN;
      default -> throw new CheckpointException(name + ": unknown byte order '" + value + "'");
    };
  }

  private static Map<String, TensorRef> selectStateDict(Object root, String name) throws CheckpointException {
    if (!(root instanceof Map<?, ?> top)) {
      throw new CheckpointException(name + " holds a value of type " + pythonType(root) + ", not a state_dict (a "
          + "dict of tensors by name); " + RESAVE_HINT);
    }
    if (!top.isEmpty() && allTensors(top)) {
      return tensorsByName(top);
    }
    for (String wrapper : List.of("state_dict", "model")) {
      if (top.get(wrapper) instanceof Map<?, ?> inner && !inner.isEmpty() && allTensors(inner)) {
        return tensorsByName(inner);
      }
    }
    if (top.isEmpty()) {
      throw new CheckpointException(name + " holds an empty dict: there are no weights in it");
    }
    List<String> keys = new ArrayList<>();
    top.keySet().stream().limit(10).forEach(k -> keys.add(String.valueOf(k)));
    String offender = top.entrySet().stream().filter(e -> !(e.getValue() instanceof TensorRef))
        .map(e -> "entry '" + e.getKey() + "' is of type " + pythonType(e.getValue())).findFirst().orElse("");
    throw new CheckpointException(name + " holds a dict that is not a state_dict (" + offender + "; top-level "
        + "entries: " + String.join(", ", keys) + (top.size() > 10 ? ", ..." : "") + "); expected tensors by "
        + "name, or a 'state_dict' or 'model' entry holding them");
  }

  private static boolean allTensors(Map<?, ?> map) {
    return map.entrySet().stream().allMatch(e -> e.getKey() instanceof String && e.getValue() instanceof TensorRef);
  }

  private static Map<String, TensorRef> tensorsByName(Map<?, ?> map) {
    Map<String, TensorRef> result = new LinkedHashMap<>();
    map.forEach((k, v) -> result.put((String) k, (TensorRef) v));
    return result;
  }

  private static StateDict materialise(ZipFile zip, String dir, Map<String, TensorRef> refs, ByteOrder order,
                                       String name) throws IOException {
    Map<String, List<String>> usersByStorage = new LinkedHashMap<>();
    for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
      String key = e.getKey();
      TensorRef t = e.getValue();
      ElementType type = t.storage().type();
      if (type == ElementType.INT64 && ElementType.isCounter(key)) {
        continue;
      }
      if (!type.widensToFloat()) {
        throw ElementType.unsupported(name, key, type);
      }
      checkView(name, key, t);
      usersByStorage.computeIfAbsent(t.storage().key(), k -> new ArrayList<>()).add(key);
    }
    Map<String, ZipEntry> entries = new LinkedHashMap<>();
    for (String storageKey : usersByStorage.keySet()) {
      StorageRef storage = refs.get(usersByStorage.get(storageKey).get(0)).storage();
      entries.put(storageKey, storageEntry(zip, dir, storage, name));
    }
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    byte[] chunk = new byte[CHUNK_BYTES];
    for (Map.Entry<String, List<String>> e : usersByStorage.entrySet()) {
      List<String> users = e.getValue();
      StorageRef storage = refs.get(users.get(0)).storage();
      float[] values = readStorage(zip, entries.get(e.getKey()), storage, order, chunk, name);
      for (String key : users) {
        TensorRef t = refs.get(key);
        boolean wholeStorage = users.size() == 1 && t.offset() == 0 && t.elementCount() == storage.numel()
            && t.isContiguous();
        tensors.put(key, new TensorData(t.size(), wholeStorage ? values : gather(values, t)));
      }
    }
    Map<String, TensorData> ordered = new LinkedHashMap<>();
    for (String key : refs.keySet()) {
      if (tensors.containsKey(key)) {
        ordered.put(key, tensors.get(key));
      }
    }
    return new StateDict(ordered);
  }

  /** The view must stay inside its storage; checked before any storage is read. */
  private static void checkView(String name, String key, TensorRef t) throws CheckpointException {
    long count = 1;
    long last = t.offset();
    try {
      for (int d = 0; d < t.size().length; d++) {
        if (t.size()[d] < 0 || t.stride()[d] < 0) {
          throw new CheckpointException(name + ": tensor '" + key + "' has a negative size or stride");
        }
        count = Math.multiplyExact(count, t.size()[d]);
        if (t.size()[d] > 0) {
          last = Math.addExact(last, Math.multiplyExact(t.size()[d] - 1, t.stride()[d]));
        }
      }
    } catch (ArithmeticException e) {
      throw new CheckpointException(name + ": tensor '" + key + "' has an impossible shape "
          + Arrays.toString(t.size()));
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new CheckpointException(name + ": tensor '" + key + "' has " + count + " elements, more than a Java "
          + "array holds");
    }
    if (t.offset() < 0 || (count > 0 && last >= t.storage().numel())) {
      throw new CheckpointException(name + ": tensor '" + key + "' (offset " + t.offset() + ", size "
          + Arrays.toString(t.size()) + ", stride " + Arrays.toString(t.stride()) + ") reaches past the end of its "
          + t.storage().numel() + "-element storage; the file is damaged");
    }
  }

  private static ZipEntry storageEntry(ZipFile zip, String dir, StorageRef storage, String name)
      throws CheckpointException {
    String path = dir + "data/" + storage.key();
    ZipEntry entry = zip.getEntry(path);
    if (entry == null) {
      throw new CheckpointException(name + ": storage entry " + path + " is missing from the archive; the file is "
          + "damaged");
    }
    long expected = storage.numel() * storage.type().size;
    if (storage.numel() > Integer.MAX_VALUE - 8) {
      throw new CheckpointException(name + ": storage " + path + " has " + storage.numel() + " elements, more than "
          + "a Java array holds");
    }
    if (entry.getSize() != expected) {
      throw new CheckpointException(name + ": storage entry " + path + " holds " + entry.getSize() + " bytes but its "
          + storage.numel() + " " + storage.type().torchName + " elements need " + expected
          + (entry.getSize() < expected ? "; the file is truncated" : "; the file is damaged"));
    }
    return entry;
  }

  /**
   * Streams one storage through {@code chunk} (shared by all storages, a multiple of every element size), so reading
   * needs no heap beyond the floats it yields.
   */
  private static float[] readStorage(ZipFile zip, ZipEntry entry, StorageRef storage, ByteOrder order, byte[] chunk,
                                     String name) throws IOException {
    int numel = (int) storage.numel();
    int elementSize = storage.type().size;
    float[] values = new float[numel];
    int done = 0;
    try (InputStream in = zip.getInputStream(entry)) {
      while (done < numel) {
        int want = Math.min(chunk.length / elementSize, numel - done) * elementSize;
        int got = in.readNBytes(chunk, 0, want);
        if (got != want) {
          throw new CheckpointException(name + ": storage entry " + entry.getName() + " ends after "
              + ((long) done * elementSize + got) + " of " + (long) numel * elementSize + " bytes; the file is "
              + "truncated");
        }
        storage.type().decode(ByteBuffer.wrap(chunk, 0, want).order(order), values, done, want / elementSize);
        done += want / elementSize;
      }
    } catch (ZipException e) {
      throw new CheckpointException(name + ": cannot read " + entry.getName() + " (" + e.getMessage() + "); the file "
          + "is damaged or truncated", e);
    }
    return values;
  }

  /** Copies a strided view out of its storage in row-major order of its sizes. */
  static float[] gather(float[] storage, TensorRef t) {
    long[] size = t.size();
    long[] stride = t.stride();
    int n = (int) t.elementCount();
    float[] out = new float[n];
    long[] index = new long[size.length];
    long src = t.offset();
    for (int i = 0; i < n; i++) {
      out[i] = storage[(int) src];
      for (int d = size.length - 1; d >= 0; d--) {
        index[d]++;
        src += stride[d];
        if (index[d] < size[d]) {
          break;
        }
        src -= stride[d] * size[d];
        index[d] = 0;
      }
    }
    return out;
  }

  private static byte[] readEntry(ZipFile zip, ZipEntry entry, String name) throws IOException {
    if (entry.getSize() > MAX_PICKLE_BYTES) {
      throw new CheckpointException(name + ": " + entry.getName() + " is " + entry.getSize() + " bytes, too large "
          + "for a state_dict");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] bytes = in.readNBytes(MAX_PICKLE_BYTES + 1);
      if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
        throw new CheckpointException(name + ": " + entry.getName() + " is truncated");
      }
      return bytes;
    } catch (ZipException e) {
      throw new CheckpointException(name + ": cannot read " + entry.getName() + " (" + e.getMessage() + "); the file "
          + "is damaged or truncated", e);
    }
  }

  static byte[] readHead(Path file, int n) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(n);
    }
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static String pythonType(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof TensorRef) {
      return "tensor";
    }
    if (o instanceof Map<?, ?>) {
      return "dict";
    }
    if (o instanceof List<?>) {
      return "list or tuple";
    }
    if (o instanceof String) {
      return "str";
    }
    if (o instanceof Long) {
      return "int";
    }
    if (o instanceof Double) {
      return "float";
    }
    return o.getClass().getSimpleName();
  }
}
