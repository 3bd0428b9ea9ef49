package io.resnetspark.udf.runtime;

import io.resnetspark.model.contract.OperationAllowList;
import io.resnetspark.model.io.Directories;
import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.distribution.ModelUnpacker;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded in this JVM, keyed by content digest. The first task that needs a model unpacks it to local
 * disk (under Spark's per-application files directory, or {@code java.io.tmpdir} outside Spark), verifies its
 * digest, checks its operations against the {@link OperationAllowList} and loads it; tasks that arrive meanwhile
 * wait for that one load and then share the model. A failed load is not cached, so a later task tries again.
 * Loaded models are closed by a shutdown hook.
 *
 * <p>Loads are counted here per JVM ({@link #loads}) and, for the driver to see, in the model's accumulator
 * ({@link BroadcastModel#loadsPerExecutor()}), each with where the model runs ({@link ModelPlacement}: the GPU
 * Spark assigned and the devices TensorFlow used, found by one traced run right after loading).
 */
public final class ExecutorModelCache {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModelCache.class);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);
  private static final ConcurrentMap<String, Slot> MODELS = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, AtomicLong> LOADS = new ConcurrentHashMap<>();
  private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();

  private ExecutorModelCache() {
  }

  /** The loaded model for {@code model}, loading it if this JVM has not yet. */
  public static ExecutorModel get(BroadcastModel model) throws IOException {
    Slot slot = MODELS.computeIfAbsent(model.sha256(), k -> new Slot());
    return slot.get(model);
  }

  /** Where a warm-up gets its model: the broadcast, which in local mode may itself still have to be packed. */
  @FunctionalInterface
  public interface BroadcastSupplier {
    BroadcastModel get() throws IOException;
  }

  /** {@link #warmUp(BroadcastSupplier, boolean)} of a model already broadcast. */
  public static Thread warmUp(BroadcastModel model, boolean withEmbeddings) {
    return warmUp(() -> model, withEmbeddings);
  }

  /**
   * Starts loading the model into this JVM's cache on a background thread, runs one blank image through it, and
   * returns at once; tasks that need the model meanwhile wait for that load. Meant for local mode, where the driver
   * JVM is the executor: the load (seconds for a large model) then overlaps the driver's listing and planning
   * instead of following them. TensorFlow builds the executor for a set of outputs on their first run (grappler's
   * rewrite, the kernels, copies of every weight constant: 3-4 s for ResNet-50), so the blank image, with the
   * outputs the tasks will ask for, pays that instead of the first batch. A failed warm-up leaves nothing cached, so
   * the first task loads again and reports the failure itself. Not for tasks given a GPU: this thread has no task
   * resources, so the model would go on the CPU.
   */
  public static Thread warmUp(BroadcastSupplier source, boolean withEmbeddings) {
    Thread thread = new Thread(() -> {
      try {
        ExecutorModel loaded = get(source.get());
        loaded.predict(FloatBuffer.allocate(3 * loaded.imageSize() * loaded.imageSize()), 1, withEmbeddings);
      } catch (IOException | RuntimeException | Error e) {
        LOG.info("warming up the model failed; the first task will load it: {}", e.toString());
      }
    }, "resnet-model-warm-up");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** How many times this JVM loaded the model with digest {@code sha256}. */
  public static long loads(String sha256) {
    AtomicLong n = LOADS.get(sha256);
    return n == null ? 0 : n.get();
  }

  /**
   * Closes and forgets the model with digest {@code sha256}, once its runs in progress end; tasks still holding it
   * fail. For tests and for jobs that must free a model's memory before the JVM ends.
   */
  public static void evict(String sha256) {
    Slot slot = MODELS.remove(sha256);
    if (slot != null) {
      slot.close(SHUTDOWN_WAIT);
    }
  }

  /** One digest's model: loaded at most once at a time, by whichever task gets here first. */
  private static final class Slot {
    private ExecutorModel loaded;

    synchronized ExecutorModel get(BroadcastModel model) throws IOException {
      if (loaded == null) {
        try {
          loaded = load(model);
        } catch (IOException | RuntimeException | Error e) {
          MODELS.remove(model.sha256(), this);
          throw e;
        }
      }
      return loaded;
    }

    synchronized void close(Duration wait) {
      if (loaded != null && !loaded.close(wait)) {
        LOG.warn("model {} was still running after {}; left open", loaded.sha256(), wait);
      }
    }
  }

  private static ExecutorModel load(BroadcastModel model) throws IOException {
    installShutdownHook();
    long start = System.nanoTime();
    Path dir = newModelDirectory(model.sha256());
    try {
      ModelUnpacker.unpack(model.manifest(), model.chunkValues(), dir, model.sha256(), model.source());
      OperationAllowList.check(dir, model.source());
      SavedResNet.Options options = SessionSettings.forCurrentTask();
      SavedResNet loaded = SavedResNet.load(dir, options);
      ModelPlacement placement;
      try {
        placement = ModelPlacement.of(executorIdentity(), options.gpu(), loaded.devices());
      } catch (RuntimeException | Error e) {
        loaded.close();
        throw e;
      }
      logPlacement(placement);
      LOADS.computeIfAbsent(model.sha256(), k -> new AtomicLong()).incrementAndGet();
      model.recordLoad(placement);
      LOG.info("loaded model {} ({}, {} bytes) in {} ms", model.sha256(), model.source(),
          model.manifest().totalBytes(), (System.nanoTime() - start) / 1_000_000);
      return new ExecutorModel(loaded, model.sha256(), dir, options);
    } catch (IOException | RuntimeException | Error e) {
      Directories.deleteQuietly(dir);
      throw e;
    }
  }

  private static void logPlacement(ModelPlacement placement) {
    if (placement.cpuFallback() != null) {
      LOG.warn("{}", placement.cpuFallback());
    } else if (placement.gpu() != null) {
      LOG.info("the model runs on GPU {} (Spark resource '{}', memory growth on): {}", placement.gpu(),
          SessionSettings.GPU_RESOURCE, placement.devices());
    }
  }

  private static Path newModelDirectory(String sha256) {
    Path root = SparkEnv.get() != null
        ? Paths.get(SparkFiles.getRootDirectory())
        : Paths.get(System.getProperty("java.io.tmpdir"));
    return root.toAbsolutePath().resolve("resnet-spark-models")
        .resolve(sha256.substring(0, 16) + "-" + UUID.randomUUID());
  }

  /** {@code executorId/pid@host}: unique per executor JVM, readable in test failures. */
  public static String executorIdentity() {
    SparkEnv env = SparkEnv.get();
    String executor = env == null ? "no-spark" : env.executorId();
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    return executor + "/" + ProcessHandle.current().pid() + "@" + host;
  }

  private static void installShutdownHook() {
    if (HOOK_INSTALLED.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        for (Slot slot : MODELS.values()) {
          slot.close(SHUTDOWN_WAIT);
        }
        MODELS.clear();
      }, "resnet-spark-model-cache-shutdown"));
    }
  }
}
