package io.resnetspark.udf.batch;

import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.StageTimings;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import io.resnetspark.udf.runtime.ImageModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefetchingPredictionsTest {
  private final FakeModel model = new FakeModel();
  private final AtomicInteger decodes = new AtomicInteger();
  private final AtomicInteger rowsRead = new AtomicInteger();
  private final StageTimings timings = StageTimings.local();
  /** The executor's decode pool of the tests: three threads unless a test says otherwise. */
  private final ExecutorService pool = daemonPool(3);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private static ExecutorService daemonPool(int threads) {
    return Executors.newFixedThreadPool(threads, runnable -> {
      Thread t = new Thread(runnable, "test-decode");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Values: byte c in 0..3 decodes to an image of class c; 'X' is corrupt; 'N' decodes to an image that breaks
   * the model. A second byte is how many milliseconds the decode takes.
   */
  private class FakeDecoder implements PixelDecoder {
    @Override
    public int outputSize() {
      return FakeModel.FLOATS;
    }

    @Override
    public void decode(byte[] encoded, FloatBuffer dest) throws ImageFailure {
      onDecode(decodes.incrementAndGet());
      if (encoded[0] == 'X') {
        throw new ImageFailure(ErrorCode.CORRUPT, "damaged");
      }
      if (encoded.length > 1) {
        sleep(encoded[1]);
      }
      float[] image = encoded[0] == 'N' ? FakeModel.image(Float.NaN) : new float[FakeModel.FLOATS];
      if (encoded[0] != 'N') {
        image[encoded[0]] = 1f;
      }
      dest.put(image);
    }

    @Override
    public void decodeStruct(byte[] data, int height, int width, int nChannels, FloatBuffer dest) {
      throw new UnsupportedOperationException();
    }
  }

  /** Called with the running count of decodes, on the decoding pool thread. */
  void onDecode(int count) {
  }

  private Iterator<Row> input(List<byte[]> values) {
    Iterator<byte[]> it = values.iterator();
    return new Iterator<>() {
      private int id;

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Row next() {
        rowsRead.incrementAndGet();
        return RowFactory.create(id++, it.next());
      }
    };
  }

  private static List<byte[]> classes(int n) {
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      values.add(new byte[] {(byte) (i % 4)});
    }
    return values;
  }

  private PrefetchingPredictions predictions(Iterator<Row> rows, ImageModel m, int batchSize) {
    return predictions(rows, m, batchSize, pool);
  }

  private PrefetchingPredictions predictions(Iterator<Row> rows, ImageModel m, int batchSize,
                                             ExecutorService decoders) {
    return new PrefetchingPredictions(rows, 1, new FakeDecoder(), decoders, new BatchPredictor(m, 2, false),
        batchSize, null, timings);
  }

  @Test
  void everyInputRowComesOutOnceInOrderWithItsPredictionOrError() {
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      // Every third image is slow, so on the pool's three threads later images often finish first.
      byte millis = (byte) (i % 3 == 0 ? 20 : 0);
      values.add(switch (i % 5) {
        case 1 -> new byte[] {'X', millis};
        case 2 -> null;
        case 3 -> new byte[] {'N', millis};
        default -> new byte[] {(byte) (i % 4), millis};
      });
    }
    List<Row> out = new ArrayList<>();
    predictions(input(values), model, 4).forEachRemaining(out::add);

    assertEquals(23, out.size());
    for (int i = 0; i < 23; i++) {
      Row row = out.get(i);
      assertEquals(i, row.getInt(0));
      assertEquals(values.get(i), row.get(1));
      Prediction p = Prediction.fromRow(row.getStruct(2));
      switch (i % 5) {
        case 1 -> assertEquals(ErrorCode.CORRUPT, p.errorCode());
        case 2 -> assertEquals(ErrorCode.EMPTY, p.errorCode());
        case 3 -> assertEquals(ErrorCode.MODEL_ERROR, p.errorCode());
        default -> {
          assertNull(p.errorCode());
          assertEquals(i % 4, p.best().index());
        }
      }
    }
  }

  @Test
  void theNextBatchIsDecodedWhileTheModelRunsTheCurrentOne() {
    CountDownLatch secondBatchDecoding = new CountDownLatch(1);
    List<Boolean> overlapped = new ArrayList<>();
    ImageModel slowModel = new FakeModel() {
      @Override
      public synchronized SavedResNet.Prediction predict(FloatBuffer pixels, int count, boolean embeddings) {
        if (overlapped.isEmpty()) {
          try {
            overlapped.add(secondBatchDecoding.await(10, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }
        return super.predict(pixels, count, embeddings);
      }
    };
    PrefetchingPredictionsTest test = new PrefetchingPredictionsTest() {
      @Override
      void onDecode(int count) {
        if (count == 3) {
          secondBatchDecoding.countDown();
        }
      }
    };
    List<Row> out = new ArrayList<>();
    test.predictions(test.input(classes(4)), slowModel, 2).forEachRemaining(out::add);
    test.stopPool();

    assertEquals(List.of(true), overlapped, "the first model run saw the second batch being decoded");
    assertEquals(4, out.size());
  }

  @Test
  void prefetchStopsAtTwoBatchesAheadWhileNobodyConsumes() throws InterruptedException {
    PrefetchingPredictions it = predictions(input(classes(100)), model, 5);
    Thread.sleep(300);
    assertEquals(10, decodes.get(), "both circulating buffers filled, then the producer waits");
    assertEquals(0, ((ThreadPoolExecutor) pool).getQueue().size(), "and leaves nothing queued in the pool");
    int n = 0;
    while (it.hasNext()) {
      it.next();
      n++;
    }
    assertEquals(100, n);
  }

  @Test
  void oneTaskDecodesOnEveryThreadOfThePool() {
    CyclicBarrier allThreads = new CyclicBarrier(3);
    List<Boolean> metTheOthers = Collections.synchronizedList(new ArrayList<>());
    PrefetchingPredictionsTest test = new PrefetchingPredictionsTest() {
      @Override
      void onDecode(int count) {
        if (count <= 3) {
          try {
            allThreads.await(10, TimeUnit.SECONDS);
            metTheOthers.add(true);
          } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            metTheOthers.add(false);
          }
        }
      }
    };
    List<Row> out = new ArrayList<>();
    test.predictions(test.input(classes(12)), model, 4).forEachRemaining(out::add);
    test.stopPool();

    assertEquals(List.of(true, true, true), metTheOthers, "three images of one task were decoding at once");
    assertEquals(12, out.size());
  }

  @Test
  void tasksSharingThePoolNeverDecodeOnMoreThreadsThanItHas() throws InterruptedException {
    ExecutorService two = daemonPool(2);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    PrefetchingPredictionsTest test = new PrefetchingPredictionsTest() {
      @Override
      void onDecode(int count) {
        most.accumulateAndGet(now.incrementAndGet(), Math::max);
        sleep(5);
        now.decrementAndGet();
      }
    };
    List<List<Row>> outputs = Collections.synchronizedList(new ArrayList<>());
    List<Thread> tasks = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      Thread task = new Thread(() -> {
        List<Row> out = new ArrayList<>();
        test.predictions(test.input(classes(20)), model, 4, two).forEachRemaining(out::add);
        outputs.add(out);
      });
      task.start();
      tasks.add(task);
    }
    for (Thread task : tasks) {
      task.join(10_000);
    }
    two.shutdownNow();
    test.stopPool();

    assertEquals(2, most.get(), "three tasks decoded on the pool's two threads, both busy at some point");
    assertEquals(3, outputs.size());
    for (List<Row> out : outputs) {
      assertEquals(20, out.size());
      for (int i = 0; i < 20; i++) {
        assertEquals(i, out.get(i).getInt(0));
        assertEquals(i % 4, Prediction.fromRow(out.get(i).getStruct(2)).best().index());
      }
    }
  }

  @Test
  void closingCancelsTheTasksQueuedImagesAndWaitsForTheOneBeingDecoded() throws InterruptedException {
    ThreadPoolExecutor one = (ThreadPoolExecutor) daemonPool(1);
    CountDownLatch firstStarted = new CountDownLatch(1);
    PrefetchingPredictionsTest test = new PrefetchingPredictionsTest() {
      @Override
      void onDecode(int count) {
        firstStarted.countDown();
        sleep(200);
      }
    };
    PrefetchingPredictions it = test.predictions(test.input(classes(100)), model, 4, one);
    assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (one.getQueue().size() < 7 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(7, one.getQueue().size(), "two batches of 4 submitted, one image decoding");

    it.close();
    int decodedByClose = test.decodes.get();
    assertEquals(0, it.decodingNow(), "close returns once the image being decoded is done");
    assertEquals(0, one.getQueue().size(), "the task's queued images are gone from the pool");
    Thread.sleep(300);
    assertEquals(decodedByClose, test.decodes.get(), "nothing of the task is decoded after it closed");
    assertTrue(decodedByClose <= 2, "decoded " + decodedByClose);
    one.shutdownNow();
    test.stopPool();
  }

  @Test
  void closingEarlyStopsTheProducerAndLeavesTheRestOfTheInputUnread() {
    PrefetchingPredictions it = predictions(input(classes(1000)), model, 2);
    it.next();
    it.next();
    it.next();
    it.close();
    assertTrue(it.producerStopped());
    int read = rowsRead.get();
    assertTrue(read <= 8, "read " + read + " rows");
  }

  @Test
  void aFailingInputFailsTheConsumerWithTheSameException() {
    Iterator<Row> rows = input(classes(10));
    Iterator<Row> failing = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Row next() {
        if (rowsRead.get() == 5) {
          throw new IllegalStateException("disk gone");
        }
        return rows.next();
      }
    };
    PrefetchingPredictions it = predictions(failing, model, 2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
      while (it.hasNext()) {
        it.next();
      }
    });
    assertEquals("disk gone", e.getMessage());
    assertTrue(it.producerStopped());
  }

  @Test
  void aValueOfTheWrongTypeIsACallerErrorNotABadImage() {
    Iterator<Row> rows = List.of(RowFactory.create(0, "not bytes")).iterator();
    PrefetchingPredictions it = predictions(rows, model, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::hasNext);
    assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
  }

  @Test
  void anInterruptedTaskThreadStopsWaitingAndStopsTheProducer() throws InterruptedException {
    CountDownLatch never = new CountDownLatch(1);
    PrefetchingPredictionsTest test = new PrefetchingPredictionsTest() {
      @Override
      void onDecode(int count) {
        try {
          never.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    PrefetchingPredictions it = test.predictions(test.input(classes(4)), model, 2);
    List<Throwable> thrown = new ArrayList<>();
    Thread task = new Thread(() -> {
      try {
        it.hasNext();
      } catch (Throwable t) {
        thrown.add(t);
      }
    });
    task.start();
    Thread.sleep(200);
    task.interrupt();
    task.join(5_000);
    test.stopPool();
    assertFalse(task.isAlive());
    assertEquals(IllegalStateException.class, thrown.get(0).getClass());
    assertTrue(it.producerStopped());
  }

  @Test
  void decodingAndInferenceTimesAreBookedOnceWhenThePartitionEnds() {
    int images = 8;
    int batch = 4;
    long decodeMillis = 25;
    long modelMillis = 40;
    ImageModel slowModel = new FakeModel() {
      @Override
      public synchronized SavedResNet.Prediction predict(FloatBuffer pixels, int count, boolean embeddings) {
        sleep(modelMillis);
        return super.predict(pixels, count, embeddings);
      }
    };
    PrefetchingPredictionsTest test = new PrefetchingPredictionsTest() {
      @Override
      void onDecode(int count) {
        sleep(decodeMillis);
      }
    };
    PrefetchingPredictions it = test.predictions(test.input(classes(images)), slowModel, batch);
    it.next();
    assertEquals(0, test.timings.inferenceNanos(), "nothing is booked while the partition runs");
    it.forEachRemaining(row -> { });
    test.stopPool();

    long decode = test.timings.readAndDecodeNanos();
    long inference = test.timings.inferenceNanos();
    assertTrue(decode >= TimeUnit.MILLISECONDS.toNanos(images * decodeMillis), "read+decode " + decode + " ns");
    assertTrue(inference >= TimeUnit.MILLISECONDS.toNanos(images / batch * modelMillis), "inference " + inference);
    assertTrue(inference < TimeUnit.MILLISECONDS.toNanos(images * decodeMillis),
        "waiting for decoded batches is not inference: " + inference + " ns");
    it.close();
    assertEquals(decode, test.timings.readAndDecodeNanos(), "closing again books nothing more");
    assertEquals(inference, test.timings.inferenceNanos());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
