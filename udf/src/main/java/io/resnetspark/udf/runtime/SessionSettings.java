package io.resnetspark.udf.runtime;

import io.resnetspark.model.runtime.SavedResNet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the one TensorFlow session of an executor JVM uses the machine.
 *
 * <p>Threads: all concurrent tasks of an executor share one session, and TensorFlow runs each concurrent
 * {@code Session.run} on its inter-op pool, with each kernel spread over the one intra-op pool they all share. So
 * inter-op threads are the number of tasks that run at once (executor cores / task cpus: with intra=1/inter=1 two
 * tasks serialize on one core), and the intra-op pool has all the executor's cores. While every task slot is busy
 * that costs nothing; when the last partitions of a stage run alone they keep every core instead of one each
 * (measurements in docs/BENCHMARKS.md). {@value #INTRA_OP_THREADS} and {@value #INTER_OP_THREADS} override both.
 *
 * <p>Decoding: the executor's tasks share one {@link DecodePool} of {@value #DECODE_THREADS} threads, by default as
 * many as the executor has cores, so one task (as with a whole GPU per task) decodes on every core.
 *
 * <p>Device: when the task that loads the model was given a Spark resource named {@value #GPU_RESOURCE}, the session
 * sees only that GPU ({@code visible_device_list}) and grows its memory on demand. TensorFlow applies GPU options
 * once per process, so the design is one GPU per executor (see {@code conf/spark-defaults.gpu.conf}); no GPU means
 * CPU, said once in the executor log. Where the native library has no CUDA or the host no such device, TensorFlow
 * runs on the CPU anyway, and the loader says so (see {@link ExecutorModelCache}).
 */
public final class SessionSettings {
  public static final String INTRA_OP_THREADS = "spark.resnet.intraOpThreads";
  public static final String INTER_OP_THREADS = "spark.resnet.interOpThreads";
  public static final String DECODE_THREADS = "spark.resnet.decodeThreads";
  public static final String GPU_RESOURCE = "gpu";

  private static final Logger LOG = LoggerFactory.getLogger(SessionSettings.class);
  private static final AtomicBoolean CPU_LOGGED = new AtomicBoolean();
  private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:-cluster)?\\[([^,\\]]+).*");

  private SessionSettings() {
  }

  /** Settings for the model about to be loaded by the current task (or by a non-Spark caller: all cores, CPU). */
  static SavedResNet.Options forCurrentTask() {
    TaskContext task = TaskContext.get();
    SparkEnv env = SparkEnv.get();
    SparkConf conf = env == null ? new SparkConf(false) : env.conf();
    int taskCpus = task == null ? conf.getInt("spark.task.cpus", 1) : task.cpus();
    Map<String, ResourceInformation> resources = task == null ? Map.of() : task.resourcesJMap();
    SavedResNet.Options options = choose(conf, taskCpus, resources);
    if (options.gpu() == null && CPU_LOGGED.compareAndSet(false, true)) {
      LOG.info("no '{}' resource assigned to this task: the model runs on CPU with {} intra-op and {} inter-op "
          + "threads", GPU_RESOURCE, options.intraOpThreads(), options.interOpThreads());
    }
    return options;
  }

  /** The settings for an executor with {@code conf}, given one task's cpus and resources. */
  public static SavedResNet.Options choose(SparkConf conf, int taskCpus, Map<String, ResourceInformation> resources) {
    int cpus = Math.max(1, taskCpus);
    int concurrentTasks = Math.max(1, executorCores(conf) / cpus);
    int intra = conf.getInt(INTRA_OP_THREADS, Math.max(cpus, executorCores(conf)));
    int inter = conf.getInt(INTER_OP_THREADS, concurrentTasks);
    return new SavedResNet.Options(intra, inter, gpuAddress(resources).orElse(null));
  }

  /**
   * The size of the executor's {@link DecodePool}: {@value #DECODE_THREADS}, else the executor's cores.
   *
   * @throws IllegalArgumentException naming the setting if it is not a positive number
   */
  public static int decodeThreads(SparkConf conf) {
    if (!conf.contains(DECODE_THREADS)) {
      return executorCores(conf);
    }
    String value = conf.get(DECODE_THREADS).trim();
    try {
      int threads = Integer.parseInt(value);
      if (threads >= 1) {
        return threads;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(DECODE_THREADS + " must be a positive number of threads, got '" + value
        + "'; leave it unset to decode on all the executor's cores");
  }

  /**
   * The executor's cores: {@code spark.executor.cores} when set, else N of a {@code local[N]} master (all cores for
   * {@code local[*]}), else the cores this JVM may use.
   */
  public static int executorCores(SparkConf conf) {
    if (conf.contains("spark.executor.cores")) {
      return conf.getInt("spark.executor.cores", 1);
    }
    String master = conf.get("spark.master", "");
    if (master.equals("local")) {
      return 1;
    }
    Matcher m = LOCAL_MASTER.matcher(master);
    if (m.matches() && !m.group(1).equals("*")) {
      try {
        return Math.max(1, Integer.parseInt(m.group(1).trim()));
      } catch (NumberFormatException e) {
        // Not a number of threads after all; fall through to the JVM's count.
      }
    }
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * The GPU a task was given, if any: the first address of its {@value #GPU_RESOURCE} resource. Spark addresses
   * GPUs by device number, as TensorFlow's {@code visible_device_list} does.
   */
  public static Optional<String> gpuAddress(Map<String, ResourceInformation> resources) {
    ResourceInformation gpu = resources.get(GPU_RESOURCE);
    if (gpu == null || gpu.addresses().length == 0) {
      return Optional.empty();
    }
    String address = gpu.addresses()[0].trim();
    if (!address.matches("\\d+")) {
      throw new IllegalArgumentException("Spark assigned GPU address '" + address + "', but TensorFlow selects GPUs "
          + "by device number; make the GPU discovery script report device numbers");
    }
    if (gpu.addresses().length > 1) {
      LOG.warn("task was given GPUs {}; a model uses one GPU per executor, so only {} is used",
          String.join(",", gpu.addresses()), address);
    }
    return Optional.of(address);
  }
}
