package io.resnetspark.udf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.runtime.SavedResNet;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class SessionSettingsTest {
  private static SparkConf conf(String... keysAndValues) {
    SparkConf conf = new SparkConf(false);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      conf.set(keysAndValues[i], keysAndValues[i + 1]);
    }
    return conf;
  }

  private static Map<String, ResourceInformation> gpus(String... addresses) {
    return Map.of("gpu", new ResourceInformation("gpu", addresses));
  }

  @Test
  void twoOneCoreTasksOnATwoCoreExecutorShareTwoIntraOpThreadsAndRunAtOnce() {
    SavedResNet.Options options = SessionSettings.choose(conf("spark.executor.cores", "2"), 1, Map.of());
    assertEquals(2, options.intraOpThreads(), "a task left alone at the end of a stage keeps both cores");
    assertEquals(2, options.interOpThreads(), "both concurrent tasks must be able to run at once");
    assertNull(options.gpu());
  }

  @Test
  void multiCoreTasksShareThePoolOfAllTheExecutorsCores() {
    SavedResNet.Options options = SessionSettings.choose(conf("spark.executor.cores", "8"), 4, Map.of());
    assertEquals(8, options.intraOpThreads());
    assertEquals(2, options.interOpThreads());
  }

  @Test
  void explicitThreadCountsOverrideTheDerivedOnes() {
    SavedResNet.Options options = SessionSettings.choose(conf("spark.executor.cores", "8",
        SessionSettings.INTRA_OP_THREADS, "3", SessionSettings.INTER_OP_THREADS, "5"), 1, Map.of());
    assertEquals(3, options.intraOpThreads());
    assertEquals(5, options.interOpThreads());
  }

  @Test
  void executorCoresComeFromTheConfOrTheLocalMaster() {
    assertEquals(6, SessionSettings.executorCores(conf("spark.executor.cores", "6", "spark.master", "local[2]")));
    assertEquals(2, SessionSettings.executorCores(conf("spark.master", "local[2]")));
    assertEquals(3, SessionSettings.executorCores(conf("spark.master", "local[3,4]")));
    assertEquals(1, SessionSettings.executorCores(conf("spark.master", "local")));
    int jvmCores = Runtime.getRuntime().availableProcessors();
    assertEquals(jvmCores, SessionSettings.executorCores(conf("spark.master", "local[*]")));
    assertEquals(jvmCores, SessionSettings.executorCores(conf("spark.master", "yarn")));
  }

  @Test
  void theExecutorDecodesOnAsManyThreadsAsItHasCoresUnlessToldOtherwise() {
    assertEquals(8, SessionSettings.decodeThreads(conf("spark.executor.cores", "8", "spark.task.cpus", "8")),
        "one task of all 8 cores (one GPU per task) still decodes on 8 threads");
    assertEquals(2, SessionSettings.decodeThreads(conf("spark.master", "local[2]")));
    assertEquals(3, SessionSettings.decodeThreads(conf("spark.executor.cores", "8",
        SessionSettings.DECODE_THREADS, " 3 ")));
  }

  @Test
  void aDecodeThreadCountThatIsNotPositiveNamesTheSetting() {
    for (String bad : new String[] {"0", "-2", "many"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SessionSettings.decodeThreads(conf(SessionSettings.DECODE_THREADS, bad)));
      assertTrue(e.getMessage().startsWith("spark.resnet.decodeThreads must be a positive number of threads, got '"
          + bad + "'"), e.getMessage());
    }
  }

  @Test
  void aTaskWithAGpuResourcePlacesTheModelOnThatDevice() {
    SavedResNet.Options options = SessionSettings.choose(conf("spark.executor.cores", "4"), 2, gpus("3"));
    assertEquals("3", options.gpu());
    assertEquals(4, options.intraOpThreads());
  }

  @Test
  void gpuChoiceFromTaskResources() {
    assertEquals(Optional.empty(), SessionSettings.gpuAddress(Map.of()));
    assertEquals(Optional.empty(), SessionSettings.gpuAddress(gpus()));
    assertEquals(Optional.empty(), SessionSettings.gpuAddress(
        Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"}))));
    assertEquals(Optional.of("1"), SessionSettings.gpuAddress(gpus("1")));
    assertEquals(Optional.of("0"), SessionSettings.gpuAddress(gpus("0", "1")), "one GPU per executor: the first");
  }

  @Test
  void aGpuAddressThatIsNotADeviceNumberIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SessionSettings.gpuAddress(gpus("GPU-5f1e")));
    assertTrue(e.getMessage().contains("'GPU-5f1e'"), e.getMessage());
  }
}
