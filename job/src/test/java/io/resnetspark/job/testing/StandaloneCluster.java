package io.resnetspark.job.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 (a master and N workers, each its own JVM) started through
 * {@code scripts/start-cluster.sh} from the jars of the test class path, and stopped with
 * {@code scripts/stop-cluster.sh}.
 *
 * <p>The test JVM is the driver. {@link #sparkConf()} ships the application to the executors by putting the
 * driver's own class path ({@code java.class.path}: test classes, module classes and every dependency) on
 * {@code spark.executor.extraClassPath}: the workers run on this machine, so the paths are valid there, and the
 * executors run exactly the classes the test compiled, lambdas included, without building a jar.
 *
 * <p>{@link Builder#sparkDistributionOnly()} starts it instead from the jars of a Spark binary distribution only
 * (module {@code spark-distribution}): a driver started by {@code scripts/submit.sh} must then ship everything
 * else in its application jar, as on a user's cluster.
 */
public final class StandaloneCluster implements AutoCloseable {

    /**
     * The file of the Spark distribution's class path, written by the {@code spark-distribution} module's build
     * (job/pom.xml passes it to the integration tests).
     */
    public static final String DISTRIBUTION_CLASSPATH_PROPERTY = "resnet.spark.distribution.classpath";

    /** Cluster settings users get; {@link #sparkConf()} starts from them. */
    public static final String CLUSTER_TEMPLATE = "spark-defaults.cluster.conf";
    public static final String GPU_TEMPLATE = "spark-defaults.gpu.conf";

    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
    private static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";
    private static final Pattern EXECUTOR_ID = Pattern.compile("--executor-id (\\S+)");
    private static final Pattern APP_ID = Pattern.compile("--app-id (\\S+)");

    private final Path runDir;
    private final Builder shape;
    private final Map<String, String> state;
    private final Duration startTime;
    private final Thread shutdownHook;

    private StandaloneCluster(Path runDir, Builder shape, Map<String, String> state, Duration startTime) {
        this.runDir = runDir;
        this.shape = shape;
        this.state = state;
        this.startTime = startTime;
        this.shutdownHook = new Thread(this::stopQuietly, "spark-cluster-shutdown");
    }

    /** A cluster whose pid files, logs and executor work directories go to {@code runDir/cluster}. */
    public static Builder builder(Path runDir) {
        return new Builder(runDir.toAbsolutePath().normalize());
    }

    public String masterUrl() {
        return state.get("MASTER_URL");
    }

    public int workers() {
        return shape.workers;
    }

    /** How long start-cluster.sh took until every worker had registered. */
    public Duration startTime() {
        return startTime;
    }

    /** The worker JVMs' pids, in worker order. */
    public List<Long> workerPids() {
        return Arrays.stream(state.get("WORKER_PIDS").split(",")).map(Long::valueOf).toList();
    }

    /** The fake GPU addresses worker {@code i} (1-based) advertises; empty without GPUs. */
    public List<String> gpuAddresses(int worker) {
        String addresses = state.getOrDefault("WORKER_" + worker + "_GPUS", "");
        return addresses.isEmpty() ? List.of() : List.of(addresses.split(","));
    }

    /** The jars the master, workers and executors run on (file names in {@code spark-home/jars}). */
    public List<String> jars() {
        try (Stream<Path> jars = Files.list(Path.of(state.get("SPARK_HOME")).resolve("jars"))) {
            return jars.map(jar -> jar.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Logs of the master and workers, and executors' stdout/stderr under {@code work/}. */
    public Path clusterDir() {
        return Path.of(state.get("CLUSTER_DIR"));
    }

    /**
     * Settings for a driver in this JVM: {@code conf/spark-defaults.cluster.conf} (plus
     * {@code spark-defaults.gpu.conf} for a cluster with GPUs) with this cluster's master, size and class path.
     * Callers add their own (app name, S3A settings) on top.
     */
    public Map<String, String> sparkConf() {
        Map<String, String> conf = new LinkedHashMap<>(Scripts.readSparkConf(ProjectFiles.conf(CLUSTER_TEMPLATE)));
        if (shape.gpusPerWorker > 0) {
            conf.putAll(Scripts.readSparkConf(ProjectFiles.conf(GPU_TEMPLATE)));
        }
        conf.put("spark.master", masterUrl());
        conf.put("spark.cores.max", Integer.toString(shape.workers * shape.coresPerWorker));
        conf.put("spark.executor.cores", Integer.toString(shape.coresPerWorker));
        conf.put("spark.executor.memory", shape.executorMemory);
        conf.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        conf.put("spark.executor.extraJavaOptions", state.get("SPARK_JVM_FLAGS"));
        conf.put("spark.ui.enabled", "false");
        // Two executor JVMs with a 250-jar class path can take longer than the template's 60 s to register on
        // a busy 2-core machine; a test that asserts on two executors must not start with one.
        conf.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "180s");
        // A progress bar in a test log is noise.
        conf.put("spark.ui.showConsoleProgress", "false");
        return conf;
    }

    /** Pids of the executor JVMs running now: children of this cluster's workers. */
    public List<Long> executorPids() {
        return List.copyOf(executorPidsById().values());
    }

    /**
     * The executor JVMs running now by Spark executor id (as in {@code SparkEnv.get().executorId()} and in
     * scheduler events), read from their command lines ({@code --executor-id N}).
     */
    public Map<String, Long> executorPidsById() {
        Map<String, Long> pids = new TreeMap<>();
        for (long worker : workerPids()) {
            ProcessHandle.of(worker).stream()
                    .flatMap(ProcessHandle::children)
                    .filter(ProcessHandle::isAlive)
                    .forEach(child -> Processes.commandLine(child.pid())
                            .filter(cmd -> cmd.contains(EXECUTOR_MAIN))
                            .map(StandaloneCluster::executorId)
                            .ifPresent(id -> pids.put(id, child.pid())));
        }
        return pids;
    }

    /** Waits until exactly {@code count} executor JVMs run (after an application starts, or replaces one). */
    public List<Long> awaitExecutors(int count, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        List<Long> pids = executorPids();
        while (pids.size() != count) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("expected " + count + " executors within " + timeout + ", have " + pids
                        + "; see " + clusterDir());
            }
            Thread.sleep(100);
            pids = executorPids();
        }
        return pids;
    }

    /** The application an executor JVM runs for: its {@code --app-id}, as Spark names its work directory. */
    public String applicationOf(long executorPid) {
        String commandLine = Processes.commandLine(executorPid)
                .orElseThrow(() -> new IllegalArgumentException(executorPid + " is not running"));
        return argument(APP_ID, commandLine);
    }

    /**
     * The stderr files of application {@code appId}'s executors by executor id, of the ones that ended too:
     * each worker keeps them in {@code work/<worker>/<app id>/<executor id>/stderr}.
     */
    public Map<String, Path> executorLogs(String appId) {
        Map<String, Path> logs = new TreeMap<>();
        try (Stream<Path> workers = Files.list(clusterDir().resolve("work"))) {
            for (Path worker : workers.toList()) {
                Path app = worker.resolve(appId);
                if (Files.isDirectory(app)) {
                    try (Stream<Path> executors = Files.list(app)) {
                        executors.filter(e -> Files.isRegularFile(e.resolve("stderr")))
                                .forEach(e -> logs.put(e.getFileName().toString(), e.resolve("stderr")));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return logs;
    }

    /** SIGKILL of one executor JVM, as when its container or machine dies; returns once it is gone. */
    public void killExecutor(long pid) {
        ProcessHandle executor = ProcessHandle.of(pid)
                .filter(p -> executorPids().contains(p.pid()))
                .orElseThrow(() -> new IllegalArgumentException(pid + " is not an executor of this cluster"));
        executor.destroyForcibly();
        executor.onExit().join();
    }

    @Override
    public void close() {
        try {
            Scripts.run("stop-cluster.sh", List.of(), scriptEnv(runDir), SCRIPT_TIMEOUT);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // Already running as part of JVM shutdown.
            }
        }
    }

    @Override
    public String toString() {
        return "StandaloneCluster[" + masterUrl() + ", " + shape.workers + " workers]";
    }

    private static String executorId(String commandLine) {
        return argument(EXECUTOR_ID, commandLine);
    }

    private static String argument(Pattern option, String commandLine) {
        Matcher value = option.matcher(commandLine);
        if (!value.find()) {
            throw new IllegalStateException("executor command line without " + option.pattern() + ": " + commandLine);
        }
        return value.group(1);
    }

    private void stopQuietly() {
        try {
            Scripts.run("stop-cluster.sh", List.of(), scriptEnv(runDir), SCRIPT_TIMEOUT);
        } catch (RuntimeException ignored) {
            // JVM shutdown: nothing left to report to.
        }
    }

    private static Map<String, String> scriptEnv(Path runDir) {
        Map<String, String> env = new HashMap<>();
        env.put("RESNET_SPARK_RUN_DIR", runDir.toString());
        return env;
    }

    /** Jars of this JVM's class path: the cluster runs the same Spark the tests compile against. */
    private static String jarsOfTestClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * The jars of a Spark binary distribution: spark-sql and spark-mllib with their dependencies as the build of
     * module {@code spark-distribution} resolved them (Hadoop as hadoop-client-api/runtime; no TF Java, no
     * hadoop-aws, nothing of this project).
     */
    public static String sparkDistributionClassPath() {
        String file = System.getProperty(DISTRIBUTION_CLASSPATH_PROPERTY);
        if (file == null || file.isBlank()) {
            throw new IllegalStateException("-D" + DISTRIBUTION_CLASSPATH_PROPERTY + " is not set: run the test "
                    + "through Maven (mvn -pl job -am verify), which builds module spark-distribution first");
        }
        try {
            String classPath = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            if (classPath.isEmpty()) {
                throw new IllegalStateException(file + " is empty");
            }
            return classPath;
        } catch (IOException e) {
            throw new UncheckedIOException("no Spark distribution class path at " + file
                    + "; build module spark-distribution first (mvn -pl job -am verify)", e);
        }
    }

    /** Shape of the cluster; defaults fit a 2-core CI machine (two 1-core workers, 1g executors). */
    public static final class Builder {
        private final Path runDir;
        private int workers = 2;
        private int coresPerWorker = 1;
        private String memoryPerWorker = "1536m";
        private String executorMemory = "1g";
        private int gpusPerWorker;
        private boolean sparkDistributionOnly;

        private Builder(Path runDir) {
            this.runDir = runDir;
        }

        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        public Builder coresPerWorker(int cores) {
            this.coresPerWorker = cores;
            return this;
        }

        /** What each worker offers to executors, e.g. "1536m"; must hold {@link #executorMemory(String)}. */
        public Builder memoryPerWorker(String memory) {
            this.memoryPerWorker = memory;
            return this;
        }

        public Builder executorMemory(String memory) {
            this.executorMemory = memory;
            return this;
        }

        /** Fake GPUs per worker, found by scripts/gpu-discovery.sh; executors then ask for one each. */
        public Builder gpusPerWorker(int gpus) {
            this.gpusPerWorker = gpus;
            return this;
        }

        /**
         * Runs the master, workers and executors on the jars of a Spark binary distribution only
         * ({@link #sparkDistributionClassPath()}) instead of the test class path, so that what an application
         * submitted to it needs beyond Spark must come in its own jar.
         */
        public Builder sparkDistributionOnly() {
            this.sparkDistributionOnly = true;
            return this;
        }

        public StandaloneCluster start() {
            Map<String, String> env = scriptEnv(runDir);
            env.put("RESNET_SPARK_DIST_CLASSPATH",
                    sparkDistributionOnly ? sparkDistributionClassPath() : jarsOfTestClassPath());
            Instant begin = Instant.now();
            List<String> args = List.of("--workers", Integer.toString(workers), "--cores", Integer.toString(coresPerWorker),
                    "--memory", memoryPerWorker, "--gpus", Integer.toString(gpusPerWorker));
            try {
                Scripts.run("start-cluster.sh", args, env, SCRIPT_TIMEOUT);
            } catch (RuntimeException e) {
                // Whatever did start (the master, some workers) must not outlive the failure.
                try {
                    Scripts.run("stop-cluster.sh", List.of(), scriptEnv(runDir), SCRIPT_TIMEOUT);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            Map<String, String> state = Scripts.readState(runDir.resolve("cluster/cluster.env"));
            StandaloneCluster cluster = new StandaloneCluster(runDir, this, state, Duration.between(begin, Instant.now()));
            Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
            return cluster;
        }
    }
}
