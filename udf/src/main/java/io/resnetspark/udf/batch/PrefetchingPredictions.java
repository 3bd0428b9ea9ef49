package io.resnetspark.udf.batch;

import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.StageTimings;
import io.resnetspark.udf.errors.ImageFailure;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;
import org.apache.spark.TaskContext$;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of one partition with a prediction appended to each, exactly one output row per input row, in input
 * order. A producer thread reads input rows and hands each image to the executor's shared decode pool
 * ({@link io.resnetspark.udf.runtime.DecodePool}), which decodes it into its slot of the next batch while the
 * consuming (task) thread runs the model on the current one. So one task decodes on as many cores as the pool has,
 * and several tasks share those cores. Two pixel buffers circulate between producer and consumer, which bounds the
 * prefetch to one batch ahead and this task's share of the pool's queue to two batches.
 *
 * <p>The producer consumes Spark's input iterator with the task's {@link TaskContext} set on its thread, as Spark's
 * own Python runner does with its writer thread, so file sources that look up the task context still work.
 * {@link #close()} (also registered as a task completion listener) stops and joins it, cancels this task's images
 * still queued in the pool and waits for those being decoded, so none of the task's work outlives it.
 */
final class PrefetchingPredictions implements Iterator<Row>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PrefetchingPredictions.class);
  private static final Object END = new Object();
  private static final int BUFFERS = 2;
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final Iterator<Row> input;
  private final int column;
  private final PixelDecoder decoder;
  private final ExecutorService decoders;
  private final BatchPredictor predictor;
  private final int batchSize;
  private final TaskContext task;
  private final StageTimings timings;
  private final BlockingQueue<FloatBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
  /** Batches, then END or the producer's failure: never more than BUFFERS + 1 items, so put never blocks. */
  private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final Thread producer;
  private volatile boolean stopped;
  /** This task's images submitted to the pool and not yet collected by the consumer. */
  private final Set<Future<ImageFailure>> submitted = ConcurrentHashMap.newKeySet();
  /** Guards {@link #decoding}. */
  private final Object decodingLock = new Object();
  /** This task's images being decoded by pool threads right now. */
  private int decoding;
  /** Reading input (producer) plus decoding each image (pool threads): thread-nanoseconds. */
  private final LongAdder readAndDecodeNanos = new LongAdder();
  private long inferenceNanos;
  private boolean timingsBooked;
  private Iterator<Row> current = Collections.emptyIterator();
  private boolean finished;

  /**
   * One batch on its way: the input rows and, for each, its decode into slot i of {@code pixels}, which completes
   * with null or with why the image has no pixels.
   */
  private record PendingBatch(List<Row> rows, List<Future<ImageFailure>> images, FloatBuffer pixels) {
  }

  PrefetchingPredictions(Iterator<Row> input, int column, PixelDecoder decoder, ExecutorService decoders,
                         BatchPredictor predictor, int batchSize, TaskContext task, StageTimings timings) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (decoder.outputSize() != predictor.imageFloats()) {
      throw new IllegalArgumentException("decoder writes " + decoder.outputSize() + " floats per image, the model "
          + "takes " + predictor.imageFloats());
    }
    this.input = input;
    this.column = column;
    this.decoder = decoder;
    this.decoders = decoders;
    this.predictor = predictor;
    this.batchSize = batchSize;
    this.task = task;
    this.timings = timings;
    for (int i = 0; i < BUFFERS; i++) {
      free.add(FloatBuffer.allocate(Math.multiplyExact(batchSize, predictor.imageFloats())));
    }
    String name = task == null ? "resnet-prefetch" :
        "resnet-prefetch-stage" + task.stageId() + "-part" + task.partitionId() + "-tid" + task.taskAttemptId();
    producer = new Thread(this::produce, name);
    producer.setDaemon(true);
    producer.start();
  }

  @Override
  public boolean hasNext() {
    while (!current.hasNext()) {
      if (finished) {
        return false;
      }
      Object item;
      try {
        item = ready.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while waiting for decoded images", e);
      }
      if (item == END) {
        finished = true;
        close();
        return false;
      }
      if (item instanceof Throwable failure) {
        finished = true;
        close();
        throw asUnchecked(failure);
      }
      current = predict((PendingBatch) item);
    }
    return true;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }

  /**
   * Stops the producer and waits for it to leave the input iterator, cancels this task's images still queued in the
   * pool and waits for those being decoded, and books the stage times (if any are kept). Idempotent.
   */
  @Override
  public void close() {
    stopped = true;
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    try {
      if (producer.isAlive()) {
        producer.interrupt();
        interrupted |= joinProducer(deadline);
        if (producer.isAlive()) {
          LOG.warn("prefetch thread {} did not stop within {}", producer.getName(), STOP_WAIT);
        }
      }
      for (Future<ImageFailure> image : submitted) {
        image.cancel(true);
      }
      submitted.clear();
      if (decoders instanceof ThreadPoolExecutor pool) {
        pool.purge();
      }
      interrupted |= awaitDecodes(deadline);
    } finally {
      if (interrupted) {
        // A killed task's thread is interrupted, and closed exactly then: the interrupt is kept for the caller.
        Thread.currentThread().interrupt();
      }
    }
    if (timings != null && !timingsBooked) {
      timingsBooked = true;
      timings.add(readAndDecodeNanos.sum(), inferenceNanos);
    }
  }

  /** Waits until {@code deadline} for the producer to end, through interrupts; returns whether one came. */
  private boolean joinProducer(long deadline) {
    boolean interrupted = false;
    long left;
    while (producer.isAlive() && (left = deadline - System.nanoTime()) > 0) {
      try {
        producer.join(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    return interrupted;
  }

  /**
   * Waits until {@code deadline} for this task's images being decoded by pool threads, which write into this
   * task's buffers; returns whether an interrupt came meanwhile.
   */
  private boolean awaitDecodes(long deadline) {
    boolean interrupted = false;
    synchronized (decodingLock) {
      long left;
      while (decoding > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          decodingLock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (decoding > 0) {
        LOG.warn("{} images of task {} were still decoding after {}", decoding, producer.getName(), STOP_WAIT);
      }
    }
    return interrupted;
  }

  /** How many of this task's images pool threads are decoding right now (for tests). */
  int decodingNow() {
    synchronized (decodingLock) {
      return decoding;
    }
  }

  /** Whether the producer thread has ended (for tests). */
  boolean producerStopped() {
    return !producer.isAlive();
  }

  private Iterator<Row> predict(PendingBatch batch) {
    int n = batch.rows().size();
    ImageFailure[] failures = new ImageFailure[n];
    for (int i = 0; i < n; i++) {
      failures[i] = await(batch.images().get(i));
    }
    long start = System.nanoTime();
    int[] slots = new int[n];
    int decoded = compact(batch.pixels(), failures, slots);
    Prediction[] predictions;
    try {
      predictions = predictor.predict(batch.pixels(), decoded);
    } finally {
      free.add(batch.pixels());
    }
    List<Row> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Prediction p = slots[i] >= 0 ? predictions[slots[i]]
          : Prediction.failure(failures[i].code(), failures[i].getMessage());
      out.add(append(batch.rows().get(i), p.toRow()));
    }
    inferenceNanos += System.nanoTime() - start;
    return out.iterator();
  }

  /** The outcome of one image's decode: null (its pixels are in its slot) or why it has none. */
  private ImageFailure await(Future<ImageFailure> image) {
    try {
      ImageFailure failure = image.get();
      submitted.remove(image);
      return failure;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = true;
      close();
      throw new IllegalStateException("interrupted while waiting for decoded images", e);
    } catch (ExecutionException e) {
      // Not a bad image (those are ImageFailure results) but a caller error or an Error: it fails the task.
      finished = true;
      close();
      throw asUnchecked(e.getCause());
    } catch (CancellationException e) {
      finished = true;
      throw new IllegalStateException("the partition's decoding was stopped", e);
    }
  }

  /**
   * Moves the pixels of the decoded images down over the slots of the failed ones, so the model gets the decoded
   * images from slot 0 on, in order; {@code slots[i]} becomes image i's slot, or -1. Returns how many decoded.
   */
  private int compact(FloatBuffer pixels, ImageFailure[] failures, int[] slots) {
    float[] floats = pixels.array();
    int size = predictor.imageFloats();
    int next = 0;
    for (int i = 0; i < failures.length; i++) {
      if (failures[i] != null) {
        slots[i] = -1;
        continue;
      }
      if (i != next) {
        System.arraycopy(floats, pixels.arrayOffset() + i * size, floats, pixels.arrayOffset() + next * size, size);
      }
      slots[i] = next++;
    }
    return next;
  }

  private static Row append(Row row, Row prediction) {
    Object[] values = new Object[row.size() + 1];
    for (int i = 0; i < row.size(); i++) {
      values[i] = row.get(i);
    }
    values[row.size()] = prediction;
    return RowFactory.create(values);
  }

  private void produce() {
    if (task != null) {
      TaskContext$.MODULE$.setTaskContext(task);
    }
    try {
      while (!stopped && moreInput()) {
        FloatBuffer pixels = free.take();
        ready.add(submitBatch(pixels));
      }
      ready.add(END);
    } catch (InterruptedException e) {
      // close() stops us; nobody waits for more batches.
    } catch (Throwable t) {
      if (!stopped) {
        ready.add(t);
      }
    } finally {
      if (task != null) {
        TaskContext$.MODULE$.unset();
      }
    }
  }

  /** Asking upstream for more rows may read (or, for image sources, decode) the next one: that is stage time too. */
  private boolean moreInput() {
    long start = System.nanoTime();
    boolean more = input.hasNext();
    readAndDecodeNanos.add(System.nanoTime() - start);
    return more;
  }

  /** Reads up to a batch of rows and submits each image's decode into its slot of {@code pixels}. */
  private PendingBatch submitBatch(FloatBuffer pixels) {
    long start = System.nanoTime();
    List<Row> rows = new ArrayList<>(batchSize);
    List<Future<ImageFailure>> images = new ArrayList<>(batchSize);
    while (rows.size() < batchSize && !stopped && input.hasNext()) {
      Row row = input.next();
      Object value = row.get(column);
      FloatBuffer slot = pixels.duplicate().position(rows.size() * predictor.imageFloats());
      rows.add(row);
      Future<ImageFailure> image = decoders.submit(() -> decodeOne(value, slot));
      submitted.add(image);
      images.add(image);
    }
    readAndDecodeNanos.add(System.nanoTime() - start);
    return new PendingBatch(rows, images, pixels);
  }

  /** Runs on a pool thread: decodes one image into its slot; null on success, else why it has no pixels. */
  private ImageFailure decodeOne(Object value, FloatBuffer slot) {
    synchronized (decodingLock) {
      if (stopped) {
        return null;
      }
      decoding++;
    }
    long start = System.nanoTime();
    try {
      ImageColumn.decode(value, decoder, slot);
      return null;
    } catch (ImageFailure f) {
      return f;
    } finally {
      readAndDecodeNanos.add(System.nanoTime() - start);
      synchronized (decodingLock) {
        decoding--;
        decodingLock.notifyAll();
      }
    }
  }

  private static RuntimeException asUnchecked(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("reading the partition's input failed: " + t, t);
  }
}
