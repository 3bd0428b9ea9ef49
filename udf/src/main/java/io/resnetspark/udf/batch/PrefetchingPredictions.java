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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.spark.TaskContext$;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of one partition with a prediction appended to each, exactly one output row per input row, in input
 * order. A producer thread reads input rows and decodes them into the next batch while the consuming (task) thread
 * runs the model on the current one. Two pixel buffers circulate between them, which bounds the prefetch to one
 * batch ahead.
 *
 * <p>The producer consumes Spark's input iterator with the task's {@link TaskContext} set on its thread, as Spark's
 * own Python runner does with its writer thread, so file sources that look up the task context still work.
 * {@link #close()} (also registered as a task completion listener) stops and joins it, so it never outlives the
 * task.
 */
final class PrefetchingPredictions implements Iterator<Row>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PrefetchingPredictions.class);
  private static final Object END = new Object();
  private static final int BUFFERS = 2;
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final Iterator<Row> input;
  private final int column;
  private final PixelDecoder decoder;
  private final BatchPredictor predictor;
  private final int batchSize;
  private final TaskContext task;
  private final StageTimings timings;
  private final BlockingQueue<FloatBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
  /** Batches, then END or the producer's failure: never more than BUFFERS + 1 items, so put never blocks. */
  private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final Thread producer;
  private volatile boolean stopped;
  /** Written by the producer only; read once it has stopped. */
  private volatile long readAndDecodeNanos;
  private long inferenceNanos;
  private boolean timingsBooked;
  private Iterator<Row> current = Collections.emptyIterator();
  private boolean finished;

  /** One decoded batch: the input rows, and for each either a slot in {@code pixels} or why it has none. */
  private record DecodedBatch(List<Row> rows, int[] slots, ImageFailure[] failures, FloatBuffer pixels,
                              int decoded) {
  }

  PrefetchingPredictions(Iterator<Row> input, int column, PixelDecoder decoder, BatchPredictor predictor,
                         int batchSize, TaskContext task, StageTimings timings) {
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
      current = predict((DecodedBatch) item);
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
   * Stops the producer, waits for it to leave the input iterator, and books the stage times (if any are kept).
   * Idempotent.
   */
  @Override
  public void close() {
    stopped = true;
    if (producer.isAlive()) {
      producer.interrupt();
      joinProducer();
      if (producer.isAlive()) {
        LOG.warn("prefetch thread {} did not stop within {}", producer.getName(), STOP_WAIT);
      }
    }
    if (timings != null && !timingsBooked) {
      timingsBooked = true;
      timings.add(readAndDecodeNanos, inferenceNanos);
    }
  }

  /**
   * Waits up to {@link #STOP_WAIT} for the producer to end, even when this thread is interrupted (a killed task is,
   * and is closed exactly then); the interrupt is kept for the caller.
   */
  private void joinProducer() {
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    try {
      long left;
      while (producer.isAlive() && (left = deadline - System.nanoTime()) > 0) {
        try {
          producer.join(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether the producer thread has ended (for tests). */
  boolean producerStopped() {
    return !producer.isAlive();
  }

  private Iterator<Row> predict(DecodedBatch batch) {
    long start = System.nanoTime();
    Prediction[] predictions;
    try {
      predictions = predictor.predict(batch.pixels(), batch.decoded());
    } finally {
      free.add(batch.pixels());
    }
    List<Row> out = new ArrayList<>(batch.rows().size());
    for (int i = 0; i < batch.rows().size(); i++) {
      int slot = batch.slots()[i];
      Prediction p = slot >= 0 ? predictions[slot]
          : Prediction.failure(batch.failures()[i].code(), batch.failures()[i].getMessage());
      out.add(append(batch.rows().get(i), p.toRow()));
    }
    inferenceNanos += System.nanoTime() - start;
    return out.iterator();
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
        ready.add(decodeBatch(pixels));
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
    readAndDecodeNanos += System.nanoTime() - start;
    return more;
  }

  private DecodedBatch decodeBatch(FloatBuffer pixels) {
    long start = System.nanoTime();
    List<Row> rows = new ArrayList<>(batchSize);
    int[] slots = new int[batchSize];
    ImageFailure[] failures = new ImageFailure[batchSize];
    int decoded = 0;
    pixels.clear();
    while (rows.size() < batchSize && !stopped && input.hasNext()) {
      Row row = input.next();
      int i = rows.size();
      rows.add(row);
      pixels.position(decoded * predictor.imageFloats());
      try {
        ImageColumn.decode(row.get(column), decoder, pixels);
        slots[i] = decoded++;
      } catch (ImageFailure f) {
        slots[i] = -1;
        failures[i] = f;
      }
    }
    pixels.clear();
    readAndDecodeNanos += System.nanoTime() - start;
    return new DecodedBatch(rows, slots, failures, pixels, decoded);
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
