package io.resnetspark.model.weights;

import static io.resnetspark.model.weights.Fixtures.checkpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLoaderTest {

  private static final List<String> RESNET_LIKE_KEYS = List.of("conv1.weight", "bn1.weight", "bn1.bias",
      "bn1.running_mean", "bn1.running_var", "fc.weight", "fc.bias");

  @TempDir
  Path tmp;

  private static String refusal(Path file) {
    return assertThrows(CheckpointException.class, () -> CheckpointLoader.load(file)).getMessage();
  }

  @Test
  void recognisesEachFormatByContentNotByExtension() throws IOException {
    Path safetensorsNamedPth = tmp.resolve("weights.pth");
    Files.copy(checkpoint("module_prefixed.safetensors"), safetensorsNamedPth);
    Path pthNamedSafetensors = tmp.resolve("weights.safetensors");
    Files.copy(checkpoint("module_prefixed.pth"), pthNamedSafetensors);
    assertEquals(CheckpointLoader.SAFETENSORS, CheckpointLoader.load(safetensorsNamedPth).format());
    assertEquals(CheckpointLoader.PYTORCH_ZIP, CheckpointLoader.load(pthNamedSafetensors).format());
  }

  @Test
  void stripsTheDataParallelPrefixAndDropsStepCountersInBothFormats() throws IOException {
    for (String fixture : List.of("module_prefixed.pth", "module_prefixed.safetensors")) {
      LoadedCheckpoint c = CheckpointLoader.load(checkpoint(fixture));
      assertEquals(RESNET_LIKE_KEYS, List.copyOf(c.stateDict().keys()), fixture);
    }
  }

  @Test
  void bothFormatsOfOneStateDictLoadTheSameTensors() throws IOException {
    StateDict pth = CheckpointLoader.load(checkpoint("module_prefixed.pth")).stateDict();
    StateDict st = CheckpointLoader.load(checkpoint("module_prefixed.safetensors")).stateDict();
    assertEquals(pth.asMap(), st.asMap());
  }

  @Test
  void unwrapsTrainingCheckpoints() throws IOException {
    LoadedCheckpoint c = CheckpointLoader.load(checkpoint("wrapped_state_dict.pth"));
    assertEquals(RESNET_LIKE_KEYS, List.copyOf(c.stateDict().keys()));
    assertEquals("wrapped_state_dict.pth", c.fileName());
  }

  @Test
  void recordsTheSha256OfTheFileBytes() throws IOException, NoSuchAlgorithmException {
    Path file = checkpoint("tiny.pth");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    assertEquals(expected, CheckpointLoader.load(file).sha256());
    assertEquals(64, expected.length());
  }

  @Test
  void stripsThePrefixOnlyWhenEveryKeyHasIt() throws CheckpointException {
    TensorData t = new TensorData(new long[] {1}, new float[] {1});
    StateDict mixed = new StateDict(Map.of("module.a", t, "b", t));
    assertEquals(mixed.keys(), CheckpointLoader.normalise(mixed, "f").keys());
    String message = assertThrows(CheckpointException.class,
        () -> CheckpointLoader.normalise(new StateDict(Map.of("bn.num_batches_tracked", t)), "f")).getMessage();
    assertEquals("f holds no weight tensors", message);
  }

  @Test
  void refusalsReachTheCallerWithTheirOwnMessages() {
    assertTrue(refusal(checkpoint("legacy_format.pth")).contains("legacy"));
    assertTrue(refusal(checkpoint("malicious.pth")).contains("'os.system'"));
    assertTrue(refusal(checkpoint("truncated.safetensors")).contains("truncated"));
    assertTrue(refusal(checkpoint("truncated_file.pth")).contains("not a complete zip"));
  }

  @Test
  void anUnknownFormatOrAMissingFileSaysSo() throws IOException {
    Path text = tmp.resolve("notes.pth");
    Files.writeString(text, "these are not weights");
    assertTrue(refusal(text).contains("neither a PyTorch checkpoint"), refusal(text));
    assertTrue(refusal(tmp.resolve("absent.pth")).contains("does not exist"));
    assertTrue(refusal(tmp).contains("not a regular file"));
  }
}
