package io.resnetspark.model.weights;

import static io.resnetspark.model.weights.Fixtures.checkpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.resnetspark.model.Architecture;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /**
   * Issue 3: a 240 MB checkpoint must not need several GB of heap. The loader streams storages through one 1 MiB
   * buffer (zip) or maps each tensor (safetensors), so what it allocates is the float32 weights themselves plus
   * small change; reading the file into memory first would double it. Allocation is counted exactly per thread;
   * the heap pools' peak (what {@code build} prints) is reported too, an upper bound that also counts G1's
   * region rounding of large arrays. The load time is printed, not asserted: on a shared 2-core machine a
   * wall-clock bound would measure the neighbours.
   */
  @ParameterizedTest
  @ValueSource(strings = {"pth", "safetensors"})
  void aResnet152CheckpointLoadsAllocatingLittleBeyondItsWeights(String format) throws IOException {
    Path file = tmp.resolve("resnet152-formula." + format);
    StateDict written = FormulaWeights.create(Architecture.RESNET152, 1000);
    long weightBytes = 4 * written.asMap().values().stream().mapToLong(TensorData::elementCount).sum();
    if (format.equals("pth")) {
      TorchZipTestWriter.write(written, file);
    } else {
      SafetensorsTestWriter.write(written, file);
    }
    written = null;
    System.gc();
    long before = heapUsed();
    resetHeapPeaks();
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    LoadedCheckpoint loaded = CheckpointLoader.load(file);
    double seconds = (System.nanoTime() - start) / 1e9;
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
    long peak = heapPeak() - before;
    System.out.printf("resnet152 .%s (%d MB file, %d MB of weights): loaded in %.2f s, allocated %d MB, heap pools' "
        + "peak %d MB above the %d MB before%n", format, Files.size(file) >> 20, weightBytes >> 20, seconds,
        allocated >> 20, peak >> 20, before >> 20);
    assertEquals(Architecture.RESNET152.parameters(1000).size(), loaded.stateDict().size());
    assertTrue(allocated < weightBytes + (weightBytes >> 4), "loading " + (weightBytes >> 20) + " MB of weights "
        + "allocated " + (allocated >> 20) + " MB");
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
  }

  private static long heapUsed() {
    return heapPools().stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }

  private static void resetHeapPeaks() {
    heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long heapPeak() {
    return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
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
