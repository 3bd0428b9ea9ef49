package io.resnetspark.job.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.StandaloneCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
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

    /** What one task saw: the application's first job, shared by the tests that only read it. */
    record TaskReport(String executorId, long pid, int partitionsSeenByThisJvm, long records, List<String> gpus) {
        static TaskReport parse(String line) {
            String[] field = line.split(" ", -1);
            List<String> gpus = field[4].isEmpty() ? List.of() : List.of(field[4].split(","));
            return new TaskReport(field[0], Long.parseLong(field[1]), Integer.parseInt(field[2]), Long.parseLong(field[3]), gpus);
        }
    }

    private static List<TaskReport> reports;
    private static Map<String, Long> executorsDuringTheJob;

    @BeforeAll
    static void startClusterAndRunOneJob() throws Exception {
        cluster = StandaloneCluster.builder(runDir).workers(2).coresPerWorker(1).gpusPerWorker(1).start();
        System.out.printf("[timing] standalone cluster (master + 2 workers) start: %d ms%n", cluster.startTime().toMillis());
        try (SparkSession spark = clusterSpark("report")) {
            long begin = System.nanoTime();
            reports = spark.range(0, 1_000, 1, 20)
                    .mapPartitions((MapPartitionsFunction<Long, String>) ids -> {
                        long records = 0;
                        while (ids.hasNext()) {
                            ids.next();
                            records++;
                        }
                        int seen = PerJvm.PARTITIONS_SEEN.incrementAndGet();
                        ResourceInformation gpu = TaskContext.get().resourcesJMap().get("gpu");
                        Thread.sleep(50);
                        return List.of(String.join(" ", SparkEnv.get().executorId(),
                                Long.toString(ProcessHandle.current().pid()), Integer.toString(seen),
                                Long.toString(records), gpu == null ? "" : String.join(",", gpu.addresses()))).iterator();
                    }, Encoders.STRING())
                    .collectAsList().stream().map(TaskReport::parse).toList();
            executorsDuringTheJob = cluster.executorPidsById();
            System.out.printf("[timing] 20 partitions on 2 executors: %d ms%n",
                    Duration.ofNanos(System.nanoTime() - begin).toMillis());
        }
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
    void partitionsRunOnTheTwoExecutorJvmsOfTheWorkersAndNotInTheDriver() {
        Map<Long, Set<String>> executorIdsByPid = reports.stream().collect(Collectors.groupingBy(
                TaskReport::pid, TreeMap::new, Collectors.mapping(TaskReport::executorId, Collectors.toSet())));

        assertEquals(20, reports.size());
        assertEquals(1_000, reports.stream().mapToLong(TaskReport::records).sum());
        assertEquals(2, executorIdsByPid.size(), "two executor JVMs");
        assertEquals(Set.copyOf(executorsDuringTheJob.values()), executorIdsByPid.keySet(),
                "the workers' executor JVMs did the work");
        assertFalse(executorIdsByPid.containsKey(ProcessHandle.current().pid()), "nothing ran in the driver");
        executorIdsByPid.forEach((pid, ids) -> assertEquals(Set.of(pid), ids.stream().map(executorsDuringTheJob::get)
                .collect(Collectors.toSet()), "the fixture maps Spark's executor id to the JVM that reported it"));
    }

    @Test
    void staticStateLivesOncePerExecutorJvmAcrossItsTasks() {
        Map<Long, List<Integer>> seenByPid = reports.stream().collect(Collectors.groupingBy(
                TaskReport::pid, Collectors.mapping(TaskReport::partitionsSeenByThisJvm, Collectors.toList())));

        // Each JVM counted 1, 2, ..., k across its tasks: the static survived between tasks and was not shared.
        for (List<Integer> seen : seenByPid.values()) {
            assertEquals(IntStream.rangeClosed(1, seen.size()).boxed().toList(), seen.stream().sorted().toList());
        }
        assertEquals(20, seenByPid.values().stream().mapToInt(List::size).sum());
    }

    @Test
    void eachExecutorHoldsOneFakeGpuAddressFromTheDiscoveryScript() {
        Map<Long, Set<List<String>>> gpusByPid = reports.stream().collect(Collectors.groupingBy(
                TaskReport::pid, Collectors.mapping(TaskReport::gpus, Collectors.toSet())));
        Set<String> advertised = new HashSet<>(cluster.gpuAddresses(1));
        advertised.addAll(cluster.gpuAddresses(2));

        assertEquals(Set.of("0", "1"), advertised, "worker 1 advertises 0, worker 2 advertises 1");
        gpusByPid.values().forEach(g -> assertEquals(1, g.size(), "an executor keeps its GPU: " + g));
        gpusByPid.values().forEach(g -> assertEquals(1, g.iterator().next().size(), "one GPU per task: " + g));
        Set<String> used = gpusByPid.values().stream().flatMap(Set::stream).flatMap(List::stream).collect(Collectors.toSet());
        assertEquals(advertised, used, "each executor got its own worker's GPU");
    }

    @Test
    void aJobSurvivesTheSigkillOfAnExecutorAndReturnsEveryRecordOnce() throws Exception {
        try (SparkSession spark = clusterSpark("executor-kill")) {
            AtomicInteger failedTasks = new AtomicInteger();
            CountDownLatch someTasksDone = new CountDownLatch(4);
            Map<String, AtomicInteger> runningByExecutor = new ConcurrentHashMap<>();
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onTaskStart(SparkListenerTaskStart taskStart) {
                    running(taskStart.taskInfo().executorId()).incrementAndGet();
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                    running(taskEnd.taskInfo().executorId()).decrementAndGet();
                    if (taskEnd.taskInfo().successful()) {
                        someTasksDone.countDown();
                    } else {
                        failedTasks.incrementAndGet();
                    }
                }

                private AtomicInteger running(String executorId) {
                    return runningByExecutor.computeIfAbsent(executorId, id -> new AtomicInteger());
                }
            });
            // 24 partitions of 400 ms on two 1-core executors: about 5 s of work, so the kill lands mid-job.
            CompletableFuture<List<Long>> job = CompletableFuture.supplyAsync(() -> spark.range(0, 2_400, 1, 24)
                    .mapPartitions((MapPartitionsFunction<Long, Long>) ids -> {
                        Thread.sleep(400);
                        return ids;
                    }, Encoders.LONG())
                    .collectAsList());
            assertTrue(someTasksDone.await(3, TimeUnit.MINUTES), "tasks did not run");

            // The victim is busy with a task, so that task is lost and must run again elsewhere.
            Map.Entry<String, Long> victim = cluster.executorPidsById().entrySet().stream()
                    .filter(e -> runningByExecutor.getOrDefault(e.getKey(), new AtomicInteger()).get() > 0)
                    .findFirst().orElseThrow(() -> new AssertionError("no executor is running a task"));
            long killedAt = System.nanoTime();
            cluster.killExecutor(victim.getValue());
            List<Long> ids = job.get(3, TimeUnit.MINUTES);
            System.out.printf("[timing] job finished %d ms after SIGKILL of executor %s (pid %d), %d failed task(s)%n",
                    Duration.ofNanos(System.nanoTime() - killedAt).toMillis(), victim.getKey(), victim.getValue(),
                    failedTasks.get());

            assertFalse(ProcessHandle.of(victim.getValue()).map(ProcessHandle::isAlive).orElse(false));
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
