package io.resnetspark.job.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.StandaloneCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master and two 1-core workers with one fake GPU each, every one its own JVM, with this test JVM as the
 * driver: work really spreads over two executor JVMs, static state lives per executor JVM, the GPU addresses
 * of the discovery script reach the tasks, and a job survives the SIGKILL of an executor.
 */
class StandaloneClusterTest {

    /** Kept when a test fails: it holds the server's or the cluster's logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path runDir;

    private static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = StandaloneCluster.builder(runDir).workers(2).coresPerWorker(1).gpusPerWorker(1).start();
        System.out.printf("[timing] standalone cluster (master + 2 workers) start: %d ms%n", cluster.startTime().toMillis());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** State of one executor JVM: a static field, as a per-JVM model cache would be. */
    static final class PerJvm {
        static final AtomicInteger PARTITIONS_SEEN = new AtomicInteger();
    }

    @Test
    void partitionsRunOnTwoExecutorJvmsThatEachKeepTheirOwnStaticState() throws Exception {
        try (SparkSession spark = clusterSpark("two-executors")) {
            List<String> reports = spark.range(0, 1_000, 1, 20)
                    .mapPartitions((MapPartitionsFunction<Long, String>) ids -> {
                        long records = 0;
                        while (ids.hasNext()) {
                            ids.next();
                            records++;
                        }
                        int seen = PerJvm.PARTITIONS_SEEN.incrementAndGet();
                        Thread.sleep(50);
                        return List.of(SparkEnv.get().executorId() + " " + ProcessHandle.current().pid() + " " + seen
                                + " " + records).iterator();
                    }, Encoders.STRING())
                    .collectAsList();
            List<Long> runningExecutors = cluster.executorPids();

            Map<Long, List<Integer>> seenByPid = new TreeMap<>();
            Map<Long, Set<String>> executorIdsByPid = new TreeMap<>();
            long records = 0;
            for (String report : reports) {
                String[] field = report.split(" ");
                long pid = Long.parseLong(field[1]);
                executorIdsByPid.computeIfAbsent(pid, p -> new HashSet<>()).add(field[0]);
                seenByPid.computeIfAbsent(pid, p -> new ArrayList<>()).add(Integer.parseInt(field[2]));
                records += Long.parseLong(field[3]);
            }

            assertEquals(1_000, records);
            assertEquals(new HashSet<>(runningExecutors), seenByPid.keySet(), "the worker's executor JVMs did the work");
            assertEquals(2, seenByPid.size(), "two executor JVMs");
            assertFalse(seenByPid.containsKey(ProcessHandle.current().pid()), "nothing ran in the driver");
            executorIdsByPid.values().forEach(ids -> assertEquals(1, ids.size(), "one executor id per JVM"));
            // Each JVM counted 1, 2, ..., k across its tasks: the static survived between tasks and was not shared.
            for (List<Integer> seen : seenByPid.values()) {
                List<Integer> sorted = seen.stream().sorted().toList();
                assertEquals(LongStream.rangeClosed(1, seen.size()).boxed().map(Long::intValue).toList(), sorted);
            }
            assertEquals(20, seenByPid.values().stream().mapToInt(List::size).sum());
        }
    }

    @Test
    void eachExecutorHoldsOneFakeGpuAddressFromTheDiscoveryScript() throws Exception {
        try (SparkSession spark = clusterSpark("gpus")) {
            List<String> reports = spark.range(0, 8, 1, 8)
                    .mapPartitions((MapPartitionsFunction<Long, String>) ids -> {
                        ResourceInformation gpu = TaskContext.get().resourcesJMap().get("gpu");
                        Thread.sleep(50);
                        return List.of(ProcessHandle.current().pid() + " " + String.join(",", gpu.addresses())).iterator();
                    }, Encoders.STRING())
                    .collectAsList();

            Map<String, Set<String>> addressesByPid = reports.stream().map(r -> r.split(" "))
                    .collect(Collectors.groupingBy(f -> f[0], Collectors.mapping(f -> f[1], Collectors.toSet())));
            Set<String> advertised = new HashSet<>(cluster.gpuAddresses(1));
            advertised.addAll(cluster.gpuAddresses(2));

            assertEquals(Set.of("0", "1"), advertised, "worker 1 advertises 0, worker 2 advertises 1");
            assertEquals(2, addressesByPid.size());
            addressesByPid.values().forEach(a -> assertEquals(1, a.size(), "an executor keeps its one GPU: " + a));
            Set<String> used = addressesByPid.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
            assertEquals(advertised, used, "each executor got its own worker's GPU");
        }
    }

    @Test
    void aJobSurvivesTheSigkillOfAnExecutorAndReturnsEveryRecordOnce() throws Exception {
        try (SparkSession spark = clusterSpark("executor-kill")) {
            AtomicInteger failedTasks = new AtomicInteger();
            CountDownLatch someTasksDone = new CountDownLatch(4);
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                    if (taskEnd.taskInfo().successful()) {
                        someTasksDone.countDown();
                    } else {
                        failedTasks.incrementAndGet();
                    }
                }
            });
            // 24 partitions of 400 ms on two 1-core executors: about 5 s of work, so the kill lands mid-job and
            // most likely mid-task.
            CompletableFuture<List<Long>> job = CompletableFuture.supplyAsync(() -> spark.range(0, 2_400, 1, 24)
                    .mapPartitions((MapPartitionsFunction<Long, Long>) ids -> {
                        Thread.sleep(400);
                        return ids;
                    }, Encoders.LONG())
                    .collectAsList());
            assertTrue(someTasksDone.await(3, TimeUnit.MINUTES), "tasks did not run");

            long victim = cluster.executorPids().get(0);
            long killedAt = System.nanoTime();
            cluster.killExecutor(victim);
            List<Long> ids = job.get(3, TimeUnit.MINUTES);
            System.out.printf("[timing] job finished %d ms after SIGKILL of executor pid %d (%d failed task(s))%n",
                    Duration.ofNanos(System.nanoTime() - killedAt).toMillis(), victim, failedTasks.get());

            assertFalse(ProcessHandle.of(victim).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(LongStream.range(0, 2_400).boxed().toList(), ids.stream().sorted().toList(),
                    "every record exactly once");
            assertTrue(failedTasks.get() >= 1, "the killed executor's running task was lost and re-run");
        }
    }

    private static SparkSession clusterSpark(String name) {
        SparkSession.Builder builder = SparkSession.builder().appName("StandaloneClusterTest-" + name);
        cluster.sparkConf().forEach(builder::config);
        long begin = System.nanoTime();
        SparkSession spark = builder.getOrCreate();
        System.out.printf("[timing] %s: application with 2 executors ready after %d ms%n", name,
                Duration.ofNanos(System.nanoTime() - begin).toMillis());
        return spark;
    }
}
