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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads files torch 1.13 wrote (see scripts/make_checkpoint_fixtures.py) and compares with torch's own values. */
class TorchCheckpointReaderTest {

  @TempDir
  Path tmp;

  private static String refusal(String fixture) {
    return assertThrows(CheckpointException.class, () -> TorchCheckpointReader.read(checkpoint(fixture)))
        .getMessage();
  }

  private static void assertMatchesExpected(StateDict sd, String expectedFile) {
    JsonNode expected = expectedTensors(expectedFile);
    List<String> keys = new ArrayList<>();
    expected.fieldNames().forEachRemaining(keys::add);
    assertEquals(keys, List.copyOf(sd.keys()), "same tensors, in the file's order");
    for (String key : keys) {
      assertTensorEquals(expected.get(key), sd.get(key), key);
    }
  }

  @Test
  void readsEveryDtypeAndLayoutTorchWrites() throws IOException {
    // float16 and bfloat16 widened, a transposed and a channels-last view, a slice at an offset, three views of one
    // shared storage, a 0-d scalar; the int64 num_batches_tracked counter is skipped.
    StateDict sd = TorchCheckpointReader.read(checkpoint("tiny.pth"));
    assertMatchesExpected(sd, "tiny.pth");
    assertFalse(sd.contains("bn.num_batches_tracked"));
  }

  @Test
  void fixturesReallyExerciseViewsAndTheFolderIsFoundNotAssumed() throws IOException {
    JsonNode tiny = expectedTensors("tiny.pth");
    assertEquals("[1,4]", tiny.get("transposed").get("stride").toString());
    assertEquals(3, tiny.get("sliced").get("offset").asInt());
    assertEquals(1, tiny.get("shared.c").get("offset").asInt());
    assertEquals("[12,1,6,3]", tiny.get("channels_last").get("stride").toString());
    try (ZipFile zip = new ZipFile(checkpoint("tiny.pth").toFile())) {
      assertTrue(zip.getEntry("tiny/data.pkl") != null, "torch names the folder after the file, not 'archive'");
    }
  }

  @Test
  void readsPickleProtocolFour() throws IOException {
    assertMatchesExpected(TorchCheckpointReader.read(checkpoint("tiny_protocol4.pth")), "tiny_protocol4.pth");
  }

  @Test
  void theTensorsOfSharedStoragesAreIndependentArrays() throws IOException {
    StateDict sd = TorchCheckpointReader.read(checkpoint("tiny.pth"));
    float before = sd.get("shared.c").data()[0];
    // shared.a[1] and shared.c[0] are the same storage element in torch; here they must not alias.
    sd.get("shared.a").data()[1] = 99f;
    assertEquals(before, sd.get("shared.c").data()[0]);
  }

  @Test
  void unwrapsATrainingCheckpointsStateDictAndNeverReadsTheRest() throws IOException {
    // Its optimizer holds a float64 tensor, which would be refused if it were read.
    assertMatchesExpected(TorchCheckpointReader.read(checkpoint("wrapped_state_dict.pth")), "resnet_like");
    assertMatchesExpected(TorchCheckpointReader.read(checkpoint("wrapped_model.pth")), "resnet_like");
  }

  @Test
  void keepsTheDataParallelPrefixForTheLoaderToStrip() throws IOException {
    StateDict sd = TorchCheckpointReader.read(checkpoint("module_prefixed.pth"));
    assertEquals("module.conv1.weight", sd.keys().iterator().next());
  }

  @Test
  void refusesAPickleThatCallsOsSystem() {
    String message = refusal("malicious.pth");
    assertTrue(message.startsWith("malicious.pth: refused global 'os.system'"), message);
  }

  @Test
  void refusesAMaliciousGlobalThatFollowsRealTensors() {
    String message = refusal("malicious_late.pth");
    assertTrue(message.contains("refused global 'builtins.exec'"), message);
  }

  @Test
  void refusesAWholePickledModelWithResaveAdvice() {
    String message = refusal("whole_model.pth");
    assertTrue(message.contains("whole pickled model") && message.contains("torch.nn.modules.linear.Linear"),
        message);
    assertTrue(message.contains("torch.save(model.state_dict()"), message);
  }

  @Test
  void refusesTheLegacyFormatWithResaveAdvice() {
    String message = refusal("legacy_format.pth");
    assertTrue(message.contains("legacy (pre-1.6, non-zip) format"), message);
    assertTrue(message.contains("torch.save(model.state_dict()"), message);
  }

  @Test
  void refusesTorchScriptArchives() {
    String message = refusal("torchscript.pt");
    assertTrue(message.contains("TorchScript archive"), message);
  }

  @Test
  void refusesFloat64WeightsNamingTheTensor() {
    String message = refusal("float64.pth");
    assertTrue(message.contains("tensor 'fc.weight' is float64 (F64)"), message);
  }

  @Test
  void refusesADictThatIsNotAStateDict() {
    String message = refusal("not_a_state_dict.pth");
    assertTrue(message.contains("entry 'epoch' is of type int"), message);
    assertTrue(message.contains("'state_dict' or 'model' entry"), message);
  }

  @Test
  void aStorageEntryShorterThanItsTensorsIsTruncation() {
    String message = refusal("truncated_entry.pth");
    assertTrue(message.contains("data/0") && message.contains("the file is truncated"), message);
  }

  @Test
  void aFileCutShortIsNotACompleteZip() {
    String message = refusal("truncated_file.pth");
    assertTrue(message.contains("not a complete zip archive"), message);
  }

  @Test
  void aZipWithoutDataPklIsNotACheckpoint() throws IOException {
    Path zip = tmp.resolve("other.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("readme.txt"));
      out.write("hello".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    String message = assertThrows(CheckpointException.class, () -> TorchCheckpointReader.read(zip)).getMessage();
    assertTrue(message.contains("not a torch.save checkpoint"), message);
  }

  @Test
  void aViewReachingPastItsStorageIsDamage() throws IOException {
    // A hand-made archive whose tensor claims 4 elements of a 2-element storage.
    TorchZipTestWriter.Pickle p = new TorchZipTestWriter.Pickle().op(0x80).op(2).op('}').op('(').unicode("w");
    p.global("torch._utils", "_rebuild_tensor_v2").op('(').op('(').unicode("storage").global("torch", "FloatStorage")
        .unicode("0").unicode("cpu").integer(2).op('t').op('Q').integer(0).tuple(new long[] {4})
        .tuple(new long[] {1}).op(0x89).op('}').op('t').op('R').op('u').op('.');
    Path file = tmp.resolve("bad.pth");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      out.putNextEntry(new ZipEntry("bad/data.pkl"));
      out.write(p.bytes());
      out.putNextEntry(new ZipEntry("bad/data/0"));
      out.write(new byte[8]);
      out.closeEntry();
    }
    String message = assertThrows(CheckpointException.class, () -> TorchCheckpointReader.read(file)).getMessage();
    assertTrue(message.contains("reaches past the end of its 2-element storage"), message);
  }

  @Test
  void gatherCopiesAStridedViewInRowMajorOrder() {
    float[] storage = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    RestrictedUnpickler.StorageRef s = new RestrictedUnpickler.StorageRef(ElementType.FLOAT32, "0", 12);
    // The transpose of a 3x4 matrix starting at element 0, and a column at offset 1.
    float[] transposed = TorchCheckpointReader.gather(storage,
        new RestrictedUnpickler.TensorRef(s, 0, new long[] {4, 3}, new long[] {1, 4}));
    assertEquals(List.of(0f, 4f, 8f, 1f, 5f, 9f, 2f, 6f, 10f, 3f, 7f, 11f), boxed(transposed));
    float[] column = TorchCheckpointReader.gather(storage,
        new RestrictedUnpickler.TensorRef(s, 1, new long[] {3}, new long[] {4}));
    assertEquals(List.of(1f, 5f, 9f), boxed(column));
  }

  private static List<Float> boxed(float[] values) {
    List<Float> list = new ArrayList<>();
    for (float v : values) {
      list.add(v);
    }
    return list;
  }
}
