package io.resnetspark.model.weights;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code data.pkl} of a {@code torch.save} checkpoint without ever running code.
 *
 * <p>A pickle is a program for a stack machine whose {@code GLOBAL} opcodes name arbitrary Python callables
 * ({@code os.system}, {@code builtins.eval}...) that {@code REDUCE} then calls. This reader interprets only the data
 * opcodes a state_dict needs and resolves a global only if it is on a short whitelist: {@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter} and the torch storage types (inert
 * dtype markers). Any other global is refused the moment its opcode is read, with a message naming it; the
 * whitelisted ones are not executed either, they build plain Java values:
 *
 * <ul>
 *   <li>dict / OrderedDict: {@link LinkedHashMap} (the OrderedDict's {@code _metadata} attribute set by
 *       {@code BUILD} is dropped);</li>
 *   <li>tuple: unmodifiable {@link List}; list: {@link ArrayList}; str: {@link String}; int: {@link Long} (or
 *       {@link BigInteger}); float: {@link Double}; bool: {@link Boolean}; None: {@code null};
 *       bytes: {@code byte[]};</li>
 *   <li>a tensor: {@link TensorRef}, a view (offset, sizes, strides) onto a {@link StorageRef}, whose bytes live in
 *       the archive's {@code data/<key>} entry and are read later, only for the tensors actually kept.</li>
 * </ul>
 *
 * <p>Protocols 2 to 5 are understood (torch.save writes protocol 2 unless told otherwise). Opcodes that build
 * arbitrary objects ({@code NEWOBJ}, {@code INST}, {@code OBJ}, extension codes, text persistent ids) are refused.
 */
final class RestrictedUnpickler {

  /** A storage named by a persistent id {@code ('storage', type, key, location, numel)}; numel in elements. */
  record StorageRef(ElementType type, String key, long numel) {
  }

  /** A tensor as {@code torch._utils._rebuild_tensor_v2} would build it: a strided view onto a storage. */
  record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {

    long elementCount() {
      long n = 1;
      for (long d : size) {
        n *= d;
      }
      return n;
    }

    /** True if the view is the plain row-major layout of its sizes (strides of size-1 dimensions are ignored). */
    boolean isContiguous() {
      long expected = 1;
      for (int d = size.length - 1; d >= 0; d--) {
        if (size[d] != 1 && stride[d] != expected) {
          return false;
        }
        expected *= size[d];
      }
      return true;
    }
  }

  /** The callables a state_dict pickle needs; everything else is refused. */
  private enum Callable {
    ORDERED_DICT("collections.OrderedDict"),
    REBUILD_TENSOR_V2("torch._utils._rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils._rebuild_parameter");

    final String qualifiedName;

    Callable(String qualifiedName) {
      this.qualifiedName = qualifiedName;
    }
  }

  /** Modules whose classes mean the file pickles a whole model object rather than its state_dict. */
  private static final List<String> MODEL_MODULE_PREFIXES =
      List.of("torch.nn.", "torchvision.", "timm.", "__main__", "pytorch_lightning.", "lightning.");

  private final ByteBuffer in;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private final Map<String, StorageRef> storages = new HashMap<>();

  private RestrictedUnpickler(byte[] pickle) {
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Interprets a pickle and returns the object it describes.
   *
   * @throws CheckpointException for a refused global or opcode, or a malformed/truncated pickle
   */
  static Object load(byte[] pickle) throws CheckpointException {
    RestrictedUnpickler unpickler = new RestrictedUnpickler(pickle);
    try {
      return unpickler.run();
    } catch (BufferUnderflowException e) {
      throw new CheckpointException("the pickle ends in the middle of an instruction (truncated or damaged file)");
    } catch (IndexOutOfBoundsException e) {
      throw malformed(unpickler.in.position(), e.getMessage());
    }
  }

  private Object run() throws CheckpointException {
    while (true) {
      if (!in.hasRemaining()) {
        throw new CheckpointException("the pickle ends without a STOP instruction (truncated or damaged file)");
      }
      int at = in.position();
      int op = in.get() & 0xff;
      switch (op) {
        case 0x80 -> { // PROTO
          int version = in.get() & 0xff;
          if (version < 2 || version > 5) {
            throw new CheckpointException("pickle protocol " + version + " is not supported (2 to 5 are)");
          }
        }
        case 0x95 -> in.getLong(); // FRAME: only a read-ahead hint
        case '.' -> { // STOP
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw malformed(at, "STOP with " + stack.size() + " values on the stack");
          }
          return stack.get(0);
        }
        case '(' -> marks.add(stack.size()); // MARK
        case '0' -> pop(at); // POP
        case '1' -> popMark(at); // POP_MARK
        case '2' -> push(peek(at)); // DUP
        case 'N' -> push(null);
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 'J' -> push((long) in.getInt()); // BININT
        case 'K' -> push((long) (in.get() & 0xff)); // BININT1
        case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
        case 0x8a -> push(readLong(in.get() & 0xff)); // LONG1
        case 0x8b -> push(readLong(length(in.getInt() & 0xffffffffL, at))); // LONG4
        case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT is big-endian
        case 'X' -> push(readUtf8(length(in.getInt() & 0xffffffffL, at))); // BINUNICODE
        case 0x8c -> push(readUtf8(in.get() & 0xff)); // SHORT_BINUNICODE
        case 0x8d -> push(readUtf8(length(in.getLong(), at))); // BINUNICODE8
        case 'B' -> push(readBytes(length(in.getInt() & 0xffffffffL, at))); // BINBYTES
        case 'C' -> push(readBytes(in.get() & 0xff)); // SHORT_BINBYTES
        case 0x8e -> push(readBytes(length(in.getLong(), at))); // BINBYTES8
        case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
        case 't' -> push(tuple(popMark(at))); // TUPLE
        case 0x85 -> push(tuple(popN(1, at))); // TUPLE1
        case 0x86 -> push(tuple(popN(2, at))); // TUPLE2
        case 0x87 -> push(tuple(popN(3, at))); // TUPLE3
        case ']' -> push(new ArrayList<>()); // EMPTY_LIST
        case 'a' -> { // APPEND
          Object item = pop(at);
          asList(peek(at), at).add(item);
        }
        case 'e' -> { // APPENDS
          List<Object> items = popMark(at);
          asList(peek(at), at).addAll(items);
        }
        case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
        case 's' -> { // SETITEM
          Object value = pop(at);
          Object key = pop(at);
          asMap(peek(at), at).put(key, value);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark(at);
          if (items.size() % 2 != 0) {
            throw malformed(at, "SETITEMS with an odd number of values");
          }
          Map<Object, Object> map = asMap(peek(at), at);
          for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
          }
        }
        case 'q' -> memo.put((long) (in.get() & 0xff), peek(at)); // BINPUT
        case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek(at)); // LONG_BINPUT
        case 0x94 -> memo.put((long) memo.size(), peek(at)); // MEMOIZE
        case 'h' -> push(memoGet(in.get() & 0xff, at)); // BINGET
        case 'j' -> push(memoGet(in.getInt() & 0xffffffffL, at)); // LONG_BINGET
        case 'c' -> push(resolveGlobal(readLine(at), readLine(at))); // GLOBAL
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop(at);
          Object module = pop(at);
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw malformed(at, "STACK_GLOBAL needs two strings");
          }
          push(resolveGlobal(m, n));
        }
        case 'i' -> // INST names a class inline, like GLOBAL, then instantiates it.
            throw refusedGlobal(readLine(at), readLine(at));
        case 'R' -> { // REDUCE
          Object args = pop(at);
          Object callable = pop(at);
          push(reduce(callable, args, at));
        }
        case 'b' -> { // BUILD
          Object state = pop(at);
          Object target = peek(at);
          // torch.save stores an OrderedDict's _metadata attribute (per-module versions) as BUILD state: not needed.
          if (!(target instanceof Map<?, ?>) || !(state instanceof Map<?, ?>)) {
            throw malformed(at, "BUILD is only supported for the metadata of an OrderedDict");
          }
        }
        case 'Q' -> push(persistentLoad(pop(at), at)); // BINPERSID
        case 0x81, 0x92, 'o' -> throw new CheckpointException(
            "the pickle constructs an arbitrary object (opcode " + opcodeName(op) + " at byte " + at
                + "); a state_dict never needs that, so the file is refused");
        case 0x82, 0x83, 0x84 -> throw new CheckpointException(
            "the pickle uses the copyreg extension registry (opcode " + opcodeName(op) + " at byte " + at
                + "), which can name arbitrary callables; refused");
        default -> throw new CheckpointException(String.format(Locale.ROOT,
            "unsupported pickle opcode 0x%02x at byte %d; only the binary opcodes of a torch.save state_dict are "
                + "read", op, at));
      }
    }
  }

  private static String opcodeName(int op) {
    return switch (op) {
      case 0x81 -> "NEWOBJ";
      case 0x92 -> "NEWOBJ_EX";
      case 'o' -> "OBJ";
      case 0x82 -> "EXT1";
      case 0x83 -> "EXT2";
      case 0x84 -> "EXT4";
      default -> String.format(Locale.ROOT, "0x%02x", op);
    };
  }

  private Object resolveGlobal(String module, String name) throws CheckpointException {
    String qualified = module + "." + name;
    for (Callable c : Callable.values()) {
      if (c.qualifiedName.equals(qualified)) {
        return c;
      }
    }
    ElementType storage = ElementType.fromTorchStorage(qualified);
    if (storage != null) {
      return storage;
    }
    throw refusedGlobal(module, name);
  }

  private static CheckpointException refusedGlobal(String module, String name) {
    String qualified = module + "." + name;
    for (String prefix : MODEL_MODULE_PREFIXES) {
      if (module.startsWith(prefix)) {
        return new CheckpointException("the file is a whole pickled model (it names the class '" + qualified
            + "'), not a state_dict; re-save only the weights with a recent torch: "
            + "torch.save(model.state_dict(), 'weights.pth')");
      }
    }
    return new CheckpointException("refused global '" + qualified + "': a state_dict pickle may only name "
        + "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and torch "
        + "storage types, because a pickle's globals can run code when Python loads it; if the file is yours, "
        + "re-save only the weights: torch.save(model.state_dict(), 'weights.pth')");
  }

  private Object reduce(Object callable, Object args, int at) throws CheckpointException {
    if (!(callable instanceof Callable c)) {
      throw malformed(at, "REDUCE on " + describe(callable) + ", which is not callable here");
    }
    List<Object> a = asList(args, at);
    return switch (c) {
      case ORDERED_DICT -> {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (!a.isEmpty()) {
          for (Object pair : asList(a.get(0), at)) {
            List<Object> kv = asList(pair, at);
            map.put(kv.get(0), kv.get(1));
          }
        }
        yield map;
      }
      case REBUILD_TENSOR_V2 -> rebuildTensor(a, at);
      case REBUILD_PARAMETER -> {
        if (a.isEmpty() || !(a.get(0) instanceof TensorRef t)) {
          throw malformed(at, "_rebuild_parameter without a tensor");
        }
        yield t;
      }
    };
  }

  /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
  private TensorRef rebuildTensor(List<Object> a, int at) throws CheckpointException {
    if (a.size() < 4 || !(a.get(0) instanceof StorageRef storage)) {
      throw malformed(at, "_rebuild_tensor_v2 needs (storage, offset, size, stride, ...)");
    }
    long offset = asLong(a.get(1), at);
    long[] size = longs(asList(a.get(2), at), at);
    long[] stride = longs(asList(a.get(3), at), at);
    if (size.length != stride.length) {
      throw malformed(at, "tensor with " + size.length + " sizes but " + stride.length + " strides");
    }
    if (a.size() > 5 && a.get(5) instanceof Map<?, ?> hooks && !hooks.isEmpty()) {
      throw malformed(at, "tensor with backward hooks");
    }
    return new TensorRef(storage, offset, size, stride);
  }

  private StorageRef persistentLoad(Object pid, int at) throws CheckpointException {
    if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))) {
      throw malformed(at, "persistent id " + describe(pid) + " is not a torch storage reference");
    }
    if (!(t.get(1) instanceof ElementType type)) {
      throw malformed(at, "storage reference without a storage type");
    }
    String key = String.valueOf(t.get(2));
    long numel = asLong(t.get(4), at);
    StorageRef ref = new StorageRef(type, key, numel);
    StorageRef previous = storages.putIfAbsent(key, ref);
    if (previous != null && !previous.equals(ref)) {
      throw malformed(at, "storage '" + key + "' is declared twice with different types or sizes");
    }
    return previous != null ? previous : ref;
  }

  private Object readLong(int n) {
    byte[] bytes = readBytes(n);
    if (n == 0) {
      return 0L;
    }
    byte[] bigEndian = new byte[n];
    for (int i = 0; i < n; i++) {
      bigEndian[i] = bytes[n - 1 - i];
    }
    BigInteger value = new BigInteger(bigEndian);
    return value.bitLength() < 64 ? (Object) value.longValue() : value;
  }

  private int length(long n, int at) throws CheckpointException {
    if (n < 0 || n > in.remaining()) {
      throw new CheckpointException("the pickle declares a " + n + "-byte value at byte " + at + " but only "
          + in.remaining() + " bytes follow (truncated or damaged file)");
    }
    return (int) n;
  }

  private byte[] readBytes(int n) {
    byte[] bytes = new byte[n];
    in.get(bytes);
    return bytes;
  }

  private String readUtf8(int n) {
    return new String(readBytes(n), StandardCharsets.UTF_8);
  }

  private String readLine(int at) throws CheckpointException {
    int start = in.position();
    while (in.hasRemaining()) {
      if (in.get() == '\n') {
        byte[] bytes = Arrays.copyOfRange(in.array(), start, in.position() - 1);
        return new String(bytes, StandardCharsets.UTF_8);
      }
    }
    throw new CheckpointException("the pickle ends inside the global name at byte " + at + " (truncated file)");
  }

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop(int at) throws CheckpointException {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) {
      throw malformed(at, "stack underflow");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek(int at) throws CheckpointException {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) {
      throw malformed(at, "stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popN(int n, int at) throws CheckpointException {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      items[i] = pop(at);
    }
    return Arrays.asList(items);
  }

  private List<Object> popMark(int at) throws CheckpointException {
    if (marks.isEmpty()) {
      throw malformed(at, "no MARK to pop to");
    }
    int mark = marks.remove(marks.size() - 1);
    List<Object> top = stack.subList(mark, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }

  private Object memoGet(long index, int at) throws CheckpointException {
    if (!memo.containsKey(index)) {
      throw malformed(at, "memo entry " + index + " was never stored");
    }
    return memo.get(index);
  }

  private static List<Object> tuple(List<Object> items) {
    return Collections.unmodifiableList(new ArrayList<>(items));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object o, int at) throws CheckpointException {
    if (o instanceof List<?> l) {
      return (List<Object>) l;
    }
    throw malformed(at, "expected a tuple or list, found " + describe(o));
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> asMap(Object o, int at) throws CheckpointException {
    if (o instanceof Map<?, ?> m) {
      return (Map<Object, Object>) m;
    }
    throw malformed(at, "expected a dict, found " + describe(o));
  }

  private static long asLong(Object o, int at) throws CheckpointException {
    if (o instanceof Long l) {
      return l;
    }
    throw malformed(at, "expected an int, found " + describe(o));
  }

  private static long[] longs(List<Object> items, int at) throws CheckpointException {
    long[] result = new long[items.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = asLong(items.get(i), at);
    }
    return result;
  }

  private static String describe(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Callable c) {
      return c.qualifiedName;
    }
    if (o instanceof ElementType t) {
      return t.torchStorage;
    }
    return o.getClass().getSimpleName();
  }

  private static CheckpointException malformed(int at, String what) {
    return new CheckpointException("malformed pickle at byte " + at + ": " + what);
  }
}
