package io.resnetspark.job;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's reads with a bounded window of them in flight, in input order: a sliding window of futures over a
 * small thread pool. On an object store each read waits a first-byte latency far longer than decoding a small image
 * takes, so a task reading its files one after another is bound by that latency; a window of N reads divides it by N.
 *
 * <p>The window holds at most {@link Window#reads()} reads and, while it holds more than one, at most
 * {@link Window#bytes()} bytes as reserved by the caller's {@code reservation} (a file's listed length, or the most
 * a file of unknown length may hold). A file whose reservation alone exceeds the bytes is read alone. A row's bytes
 * stay reserved until {@link #next()} returns it; from then on the consumer holds them.
 *
 * <p>Every input row yields exactly one output row, the {@code read} function's (which reports a failed read on its
 * row instead of throwing). The pool exists only while reads run ({@code reads = 1} reads on the caller's thread,
 * without one) and {@link #close()} stops it: at the end of the input, when the consumer is interrupted, and, from
 * the task completion listener, when Spark abandons the iterator (a {@code limit}, a killed task).
 */
final class OverlappedReads implements Iterator<Row>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OverlappedReads.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  /** How much may be read ahead: a number of files and, while more than one is in flight, their bytes. */
  record Window(int reads, long bytes) implements Serializable {
    Window {
      if (reads < 1 || bytes < 1) {
        throw new IllegalArgumentException("a read window needs at least one read and one byte, got " + reads
            + " reads and " + bytes + " bytes");
      }
    }
  }

  private record Pending(Future<Row> row, long bytes) {
  }

  private final Iterator<Row> input;
  private final Function<Row, Row> read;
  private final ToLongFunction<Row> reservation;
  private final Window window;
  private final LongConsumer waitedNanos;
  private final String threadName;
  private final Runnable onClose;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  /** An input row taken from upstream that did not fit in the window yet. */
  private Row waiting;
  private long reservedBytes;
  private ExecutorService pool;
  private volatile boolean closed;
  private boolean exhausted;

  /**
   * @param read        one input row's output row; called on the pool's threads
   * @param reservation the bytes an input row's read may hold
   * @param waitedNanos receives the time the consumer spent starting and waiting for reads
   * @param threadName  the pool threads' name prefix
   * @param onClose     run once, after the pool has stopped (e.g. to close file systems the reads used)
   */
  OverlappedReads(Iterator<Row> input, Function<Row, Row> read, ToLongFunction<Row> reservation, Window window,
                  LongConsumer waitedNanos, String threadName, Runnable onClose) {
    this.input = input;
    this.read = read;
    this.reservation = reservation;
    this.window = window;
    this.waitedNanos = waitedNanos;
    this.threadName = threadName;
    this.onClose = onClose;
  }

  @Override
  public boolean hasNext() {
    if (exhausted) {
      return false;
    }
    if (closed) {
      throw new IllegalStateException("the reads were stopped (the task ended) before every row was returned");
    }
    fill();
    if (pending.isEmpty()) {
      exhausted = true;
      close();
      return false;
    }
    return true;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Pending head = pending.poll();
    long start = System.nanoTime();
    Row row = await(head.row());
    waitedNanos.accept(System.nanoTime() - start);
    reservedBytes -= head.bytes();
    if (window.reads() > 1) {
      // Start the reads the released bytes make room for before the consumer works on this row.
      fill();
    }
    return row;
  }

  /** The number of reads started and not yet returned (for tests). */
  int inFlight() {
    return pending.size();
  }

  /** The bytes reserved by those reads (for tests). */
  long reservedBytes() {
    return reservedBytes;
  }

  /** Stops the pool (interrupting reads in flight) and waits for its threads to end. Idempotent, thread-safe. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      if (pool != null) {
        for (Runnable queued : pool.shutdownNow()) {
          ((Future<?>) queued).cancel(false);
        }
        awaitTermination();
      }
    } finally {
      onClose.run();
    }
  }

  /** Takes input rows into the window while it has room for them. */
  private void fill() {
    while (pending.size() < window.reads()) {
      if (waiting == null) {
        if (!input.hasNext()) {
          return;
        }
        waiting = input.next();
      }
      long bytes = reservation.applyAsLong(waiting);
      if (!pending.isEmpty() && reservedBytes + bytes > window.bytes()) {
        return;
      }
      pending.add(new Pending(start(waiting), bytes));
      reservedBytes += bytes;
      waiting = null;
    }
  }

  private Future<Row> start(Row listed) {
    long begin = System.nanoTime();
    try {
      if (window.reads() == 1) {
        return CompletableFuture.completedFuture(read.apply(listed));
      }
      return pool().submit(() -> read.apply(listed));
    } finally {
      waitedNanos.accept(System.nanoTime() - begin);
    }
  }

  private ExecutorService pool() {
    if (pool == null) {
      AtomicInteger threads = new AtomicInteger();
      pool = new ThreadPoolExecutor(window.reads(), window.reads(), 0, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
    }
    return pool;
  }

  private Row await(Future<Row> row) {
    try {
      return row.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while waiting for file reads", e);
    } catch (CancellationException e) {
      throw new IllegalStateException("the reads were stopped (the task ended)", e);
    } catch (ExecutionException e) {
      // The read function turns I/O failures into rows; what escapes it (an Error, a bug) fails the task.
      close();
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Waits up to {@link #STOP_WAIT} for the pool's threads, even when interrupted; the interrupt is kept. */
  private void awaitTermination() {
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    try {
      long left;
      while (!pool.isTerminated() && (left = deadline - System.nanoTime()) > 0) {
        try {
          pool.awaitTermination(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (!pool.isTerminated()) {
        LOG.warn("file read threads {}-* did not stop within {}", threadName, STOP_WAIT);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
