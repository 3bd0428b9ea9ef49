package io.resnetspark.udf.runtime;

import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.testing.HostileModels;
import io.resnetspark.udf.testing.SparkTestSession;
import io.resnetspark.udf.testing.TestModels;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorModelCacheTest {
  private static final int CHUNK = 8 << 20;
  private static SparkSession spark;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start("ExecutorModelCacheTest");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /** Runs one task per partition that gets the model and reports which loaded instance it saw. */
  private static List<Integer> instancesSeenByTasks(BroadcastModel model, int partitions) {
    MapPartitionsFunction<Long, Integer> getModel = rows -> List.of(
        System.identityHashCode(ExecutorModelCache.get(model))).iterator();
    return spark.range(0, partitions, 1, partitions).mapPartitions(getModel, Encoders.INT()).collectAsList();
  }

  @Test
  void allTasksOfAnExecutorShareOneLoadCountedOnTheDriverToo() throws IOException {
    BroadcastModel model = BroadcastModel.create(spark, TestModels.distinct("cache-1").toString(), CHUNK);
    assertEquals(6, model.chunkCount(), "a 45 MB model in 8 MB chunks");
    assertEquals(6, new HashSet<>(model.broadcastIds()).size(), "one Spark broadcast per chunk");

    List<Integer> seen = instancesSeenByTasks(model, 8);

    assertEquals(1, new HashSet<>(seen).size(), "every task got the same loaded model");
    assertEquals(1, ExecutorModelCache.loads(model.sha256()));
    Map<String, Long> perExecutor = model.loadsPerExecutor();
    assertEquals(List.of(1L), List.copyOf(perExecutor.values()), perExecutor.toString());
    assertTrue(perExecutor.keySet().iterator().next().startsWith("driver/" + ProcessHandle.current().pid() + "@"));
  }

  @Test
  void aWarmUpLoadsOnceInTheBackgroundAndTasksShareWhatItLoaded() throws Exception {
    BroadcastModel model = BroadcastModel.create(spark, TestModels.distinct("cache-warm").toString(), CHUNK);

    Thread warmUp = ExecutorModelCache.warmUp(model, false);
    List<Integer> seen = instancesSeenByTasks(model, 4);
    warmUp.join(60_000);

    assertEquals(1, new HashSet<>(seen).size());
    assertEquals(1, ExecutorModelCache.loads(model.sha256()), "tasks that came during the warm-up waited for it");
    assertSame(ExecutorModelCache.get(model), ExecutorModelCache.get(model));
    assertEquals(List.of(1L), List.copyOf(model.loadsPerExecutor().values()), "counted on the driver as a load");
  }

  @Test
  void aWarmUpBroadcastsInTheBackgroundAndRunsOneBlankImageSoThatNoBatchIsTheFirstRun() throws Exception {
    String path = TestModels.distinct("cache-warm-blank").toString();

    ExecutorModelCache.warmUp(() -> BroadcastModel.create(spark, path, CHUNK), true).join(60_000);

    BroadcastModel model = BroadcastModel.create(spark, path, CHUNK);
    assertEquals(1, ExecutorModelCache.loads(model.sha256()));
    assertEquals(1, ExecutorModelCache.get(model).imagesRun(), "the blank image");
  }

  @Test
  void aFailedWarmUpCachesNothingAndTheTaskReportsTheFailure() throws Exception {
    Path hostile = HostileModels.readingAFile(tmp.resolve("warm-hostile"));
    BroadcastModel model = BroadcastModel.create(spark, hostile.toString(), CHUNK);

    ExecutorModelCache.warmUp(model, false).join(60_000);

    assertEquals(0, ExecutorModelCache.loads(model.sha256()));
    SparkException e = assertThrows(SparkException.class, () -> instancesSeenByTasks(model, 1));
    assertTrue(e.getMessage().contains("ReadFile"), e.getMessage());
  }

  @Test
  void eachLoadTellsTheDriverWhereTheModelRuns() throws IOException {
    BroadcastModel model = BroadcastModel.create(spark, TestModels.distinct("cache-5").toString(), CHUNK);

    instancesSeenByTasks(model, 3);

    Map<String, ModelPlacement> placements = model.placements();
    assertEquals(model.loadsPerExecutor().keySet(), placements.keySet(), "one placement per loading executor");
    ModelPlacement placement = placements.values().iterator().next();
    assertEquals(ExecutorModelCache.executorIdentity(), placement.executor());
    assertNull(placement.gpu(), "local mode assigns no GPU");
    assertEquals(List.of("/device:CPU:0"), placement.devices(), "found by a traced run of the loaded model");
    assertNull(placement.cpuFallback(), "nothing was requested that TensorFlow lacks");
  }

  @Test
  void threadsArrivingTogetherWaitForTheOneLoad() throws Exception {
    BroadcastModel model = BroadcastModel.create(spark, TestModels.distinct("cache-2").toString(), CHUNK);
    int threads = 6;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<ExecutorModel>> got = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        got.add(pool.submit(() -> {
          start.await();
          return ExecutorModelCache.get(model);
        }));
      }
      ExecutorModel first = got.get(0).get();
      for (Future<ExecutorModel> f : got) {
        assertSame(first, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, ExecutorModelCache.loads(model.sha256()));
  }

  @Test
  void aDamagedChunkFailsTheTaskWithADigestErrorAndIsNotCached() throws IOException {
    String path = TestModels.distinct("cache-3").toString();
    List<Broadcast<byte[]>> chunks = new ArrayList<>();
    var jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    BroadcastModel damaged = BroadcastModel.create(spark, path, CHUNK, (index, chunk) -> {
      if (index == 2) {
        chunk[12345] ^= 1;
      }
      chunks.add(jsc.broadcast(chunk));
    }, chunks);

    SparkException e = assertThrows(SparkException.class, () -> assertTimeoutPreemptively(Duration.ofMinutes(2),
        () -> instancesSeenByTasks(damaged, 2)));
    assertTrue(e.getMessage().contains("failed its SHA-256 check after unpacking"), e.getMessage());
    assertEquals(0, ExecutorModelCache.loads(damaged.sha256()));

    BroadcastModel intact = BroadcastModel.create(spark, path, CHUNK);
    assertEquals(damaged.sha256(), intact.sha256(), "the digest is of the model as read on the driver");
    assertEquals(1, new HashSet<>(instancesSeenByTasks(intact, 2)).size());
    assertEquals(1, ExecutorModelCache.loads(intact.sha256()));
  }

  @Test
  void aModelWithAFileReadingOperationIsRefusedBeforeLoading() throws IOException {
    Path hostile = HostileModels.readingAFile(tmp.resolve("hostile"));
    BroadcastModel model = BroadcastModel.create(spark, hostile.toString(), CHUNK);

    SparkException e = assertThrows(SparkException.class, () -> assertTimeoutPreemptively(Duration.ofMinutes(2),
        () -> instancesSeenByTasks(model, 2)));
    assertTrue(e.getMessage().contains("refused: it uses operations outside the resnet-spark allow-list: "
        + "ReadFile (node 'steal')"), e.getMessage());
    assertEquals(0, ExecutorModelCache.loads(model.sha256()));
  }

  @Test
  void anEvictedModelIsLoadedAgainOnNextUse() throws IOException {
    BroadcastModel model = BroadcastModel.create(spark, TestModels.distinct("cache-4").toString(), CHUNK);
    ExecutorModel first = ExecutorModelCache.get(model);
    ExecutorModelCache.evict(model.sha256());
    assertThrows(IllegalStateException.class, () -> first.predict(
        FloatBuffer.allocate(first.imageSize() * first.imageSize() * 3), 1, false));
    ExecutorModel second = ExecutorModelCache.get(model);
    assertTrue(first != second);
    assertEquals(2, ExecutorModelCache.loads(model.sha256()));
    assertEquals(List.of(2L), List.copyOf(model.loadsPerExecutor().values()));
  }
}
