package io.resnetspark.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.weights.RestrictedUnpickler.StorageRef;
import io.resnetspark.model.weights.RestrictedUnpickler.TensorRef;
import io.resnetspark.model.weights.TorchZipTestWriter.Pickle;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestrictedUnpicklerTest {

  private static final int PROTO = 0x80;
  private static final int STOP = '.';

  private static Object load(Pickle p) throws CheckpointException {
    return RestrictedUnpickler.load(p.bytes());
  }

  private static String refusal(Pickle p) {
    return assertThrows(CheckpointException.class, () -> load(p)).getMessage();
  }

  /** A tensor of storage {@code key} (12 floats): offset 2, size (2, 3), stride (1, 2). */
  private static Pickle tensor(Pickle p, String key) {
    p.global("torch._utils", "_rebuild_tensor_v2").op('(');
    p.op('(').unicode("storage").global("torch", "FloatStorage").unicode(key).unicode("cpu").integer(12).op('t');
    p.op('Q').integer(2).tuple(new long[] {2, 3}).tuple(new long[] {1, 2}).op(0x89);
    return p.global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
  }

  @Test
  void readsThePlainValuesATrainingCheckpointHolds() throws CheckpointException {
    Pickle p = new Pickle().op(PROTO).op(2).op('}').raw('q', 0).op('(');
    p.unicode("ints").op(']').op('(').integer(7).integer(300).integer(70000).integer(-5)
        .raw(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1).raw(0x8a, 1, 0xff).op('e');
    p.unicode("float").op('G').raw(0x3f, 0xe0, 0, 0, 0, 0, 0, 0);
    p.unicode("flags").op(0x88).op(0x89).op('N').raw(0x87);
    p.unicode("bytes").raw('C', 2, 0xca, 0xfe);
    p.unicode("same").raw('h', 0);
    p.op('u').op(STOP);
    Map<?, ?> root = assertInstanceOf(Map.class, load(p));
    assertEquals(List.of(7L, 300L, 70000L, -5L, BigInteger.ONE.shiftLeft(64), -1L), root.get("ints"));
    assertEquals(0.5, root.get("float"));
    assertEquals(Arrays.asList(true, false, null), root.get("flags"));
    assertArrayEquals(new byte[] {(byte) 0xca, (byte) 0xfe}, (byte[]) root.get("bytes"));
    assertSame(root, root.get("same"), "BINGET returns the memoised object itself");
  }

  @Test
  void readsProtocolFourFramesStackGlobalsAndMemoize() throws CheckpointException {
    Pickle p = new Pickle().op(PROTO).op(4).raw(0x95, 30, 0, 0, 0, 0, 0, 0, 0);
    p.raw(0x8c, 11).ascii("collections").raw(0x94).raw(0x8c, 11).ascii("OrderedDict").raw(0x94).raw(0x93);
    p.raw(0x94).op(')').op('R').raw(0x94);
    p.raw(0x8c, 1).ascii("k").raw('h', 2).op(')').op('R').op('s').op(STOP);
    Map<?, ?> root = assertInstanceOf(Map.class, load(p));
    assertEquals(Map.of(), root.get("k"), "memo entry 2 is the OrderedDict class, called again");
  }

  @Test
  void rebuildsTensorsAsViewsOntoSharedStoragesWithoutReadingThem() throws CheckpointException {
    Pickle p = new Pickle().op(PROTO).op(2).global("collections", "OrderedDict").op(')').op('R').op('(');
    p.unicode("a");
    tensor(p, "0");
    p.unicode("b").global("torch._utils", "_rebuild_parameter").op('(');
    tensor(p, "0").op(0x88).global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
    p.op('u');
    // torch.save sets the OrderedDict's _metadata attribute through BUILD; it carries nothing a reader needs.
    p.op('}').unicode("_metadata").op('}').op('s').op('b').op(STOP);
    Map<?, ?> root = assertInstanceOf(Map.class, load(p));
    assertEquals(List.of("a", "b"), List.copyOf(root.keySet()));
    TensorRef a = assertInstanceOf(TensorRef.class, root.get("a"));
    TensorRef b = assertInstanceOf(TensorRef.class, root.get("b"));
    assertEquals(new StorageRef(ElementType.FLOAT32, "0", 12), a.storage());
    assertSame(a.storage(), b.storage(), "one storage key, one storage");
    assertEquals(2, a.offset());
    assertArrayEquals(new long[] {2, 3}, a.size());
    assertArrayEquals(new long[] {1, 2}, a.stride());
    assertEquals(6, a.elementCount());
    assertTrue(!a.isContiguous());
  }

  @Test
  void refusesOsSystemAsSoonAsItIsNamed() {
    // Bytes after the global are garbage: the refusal must come before the interpreter reaches them.
    Pickle p = new Pickle().op(PROTO).op(2).global("os", "system").raw(0xff, 0xff, 0xff);
    String message = refusal(p);
    assertTrue(message.contains("refused global 'os.system'"), message);
    assertTrue(message.contains("can run code"), message);
  }

  @Test
  void refusesGlobalsNamedThroughStackGlobal() {
    Pickle p = new Pickle().op(PROTO).op(4).raw(0x8c, 8).ascii("builtins").raw(0x8c, 4).ascii("exec").raw(0x93)
        .raw(0x8c, 2).ascii("42").raw(0x85).op('R').op(STOP);
    assertTrue(refusal(p).contains("'builtins.exec'"), refusal(p));
  }

  @Test
  void refusesInstWhichNamesAClassInline() {
    Pickle p = new Pickle().op(PROTO).op(2).op('(').op('i').ascii("subprocess\nPopen\n").op(STOP);
    assertTrue(refusal(p).contains("'subprocess.Popen'"), refusal(p));
  }

  @Test
  void aModelClassMeansAWholePickledModelAndSaysHowToResave() {
    Pickle p = new Pickle().op(PROTO).op(2).global("torchvision.models.resnet", "ResNet").op(')').raw(0x81);
    String message = refusal(p);
    assertTrue(message.contains("whole pickled model") && message.contains("torchvision.models.resnet.ResNet"),
        message);
    assertTrue(message.contains("torch.save(model.state_dict(), 'weights.pth')"), message);
  }

  @Test
  void refusesObjectConstructionEvenOfAllowedClasses() {
    Pickle p = new Pickle().op(PROTO).op(2).global("collections", "OrderedDict").op(')').raw(0x81).op(STOP);
    assertTrue(refusal(p).contains("NEWOBJ"), refusal(p));
  }

  @Test
  void refusesCallingAStorageType() {
    Pickle p = new Pickle().op(PROTO).op(2).global("torch", "FloatStorage").op(')').op('R').op(STOP);
    assertTrue(refusal(p).contains("torch.FloatStorage, which is not callable"), refusal(p));
  }

  @Test
  void refusesTheExtensionRegistryAndTextOpcodes() {
    assertTrue(refusal(new Pickle().op(PROTO).op(2).raw(0x82, 1)).contains("extension registry"));
    assertTrue(refusal(new Pickle().op(PROTO).op(2).op('I').ascii("1\n").op(STOP))
        .contains("unsupported pickle opcode 0x49"));
    assertTrue(refusal(new Pickle().op(PROTO).op(1)).contains("protocol 1"));
  }

  @Test
  void persistentIdsMustBeTorchStorages() {
    Pickle p = new Pickle().op(PROTO).op(2).unicode("not a storage").op('Q').op(STOP);
    assertTrue(refusal(p).contains("not a torch storage reference"), refusal(p));
  }

  @Test
  void truncatedOrUnterminatedPicklesAreReported() {
    byte[] whole = new Pickle().op(PROTO).op(2).unicode("a long string value").op(STOP).bytes();
    byte[] cut = Arrays.copyOf(whole, 10);
    String message = assertThrows(CheckpointException.class, () -> RestrictedUnpickler.load(cut)).getMessage();
    assertTrue(message.contains("truncated"), message);
    byte[] noStop = Arrays.copyOf(whole, whole.length - 1);
    message = assertThrows(CheckpointException.class, () -> RestrictedUnpickler.load(noStop)).getMessage();
    assertTrue(message.contains("without a STOP"), message);
  }

  @Test
  void stackUnderflowIsMalformedNotACrash() {
    Pickle p = new Pickle().op(PROTO).op(2).op('s');
    assertTrue(refusal(p).startsWith("malformed pickle at byte 2: stack underflow"), refusal(p));
    Pickle popPastMark = new Pickle().op(PROTO).op(2).op('N').op('(').op('0');
    assertTrue(refusal(popPastMark).contains("stack underflow"), "POP may not reach below a MARK");
  }

  @Test
  void decodesUnicodeKeys() throws CheckpointException {
    byte[] utf8 = "ß.weight".getBytes(StandardCharsets.UTF_8);
    Pickle p = new Pickle().op(PROTO).op(2).raw(0x8c, utf8.length);
    for (byte b : utf8) {
      p.raw(b & 0xff);
    }
    assertEquals("ß.weight", load(p.op(STOP)));
  }
}
