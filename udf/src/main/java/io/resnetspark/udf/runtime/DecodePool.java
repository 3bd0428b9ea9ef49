package io.resnetspark.udf.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The threads that decode images for every task of this executor JVM: as many as the executor has cores
 * ({@link SessionSettings#decodeThreads}), shared by its tasks. However many tasks run at once (one per GPU, or
 * fewer partitions than cores, or the last partition of a stage), every core of the executor can decode while
 * the one loaded model serves them all; and however many run, no more threads decode than the executor has cores.
 *
 * <p>The queue is unbounded in type but bounded by its callers: a task submits the images of at most its two
 * circulating batches and waits for them before submitting more, so queued work (and the encoded images it
 * holds) is at most two batches per running task. Threads are daemons that end after a minute idle, so an
 * executor that stops labelling keeps none, and a JVM exit never waits for them.
 */
public final class DecodePool {
  private static final long IDLE_SECONDS = 60;
  private static final ThreadPoolExecutor POOL = newPool();

  private DecodePool() {
  }

  /** The pool, sized for the current executor (its conf, or all the JVM's cores outside Spark). */
  public static ExecutorService forCurrentExecutor() {
    SparkEnv env = SparkEnv.get();
    return sized(SessionSettings.decodeThreads(env == null ? new SparkConf(false) : env.conf()));
  }

  /**
   * The pool with {@code threads} threads. One JVM is one executor, so the size is normally set once; a test that
   * runs several Spark sessions in one JVM resizes it, which affects only images not yet started.
   */
  static synchronized ExecutorService sized(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("decode threads must be positive, got " + threads);
    }
    if (threads > POOL.getMaximumPoolSize()) {
      POOL.setMaximumPoolSize(threads);
      POOL.setCorePoolSize(threads);
    } else if (threads < POOL.getMaximumPoolSize()) {
      POOL.setCorePoolSize(threads);
      POOL.setMaximumPoolSize(threads);
    }
    return POOL;
  }

  /** Threads decoding right now (for tests and logs). */
  static int active() {
    return POOL.getActiveCount();
  }

  /** Images waiting for a thread, cancelled ones included until a thread skips them (for tests). */
  static int queued() {
    return POOL.getQueue().size();
  }

  private static ThreadPoolExecutor newPool() {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = runnable -> {
      Thread t = new Thread(runnable, "resnet-decode-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
