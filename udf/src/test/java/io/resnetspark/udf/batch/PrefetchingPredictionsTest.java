package io.resnetspark.udf.batch;

import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.StageTimings;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import io.resnetspark.udf.runtime.ImageModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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

  /**
   * Values: byte c in 0..3 decodes to an image of class c; 'X' is corrupt; 'N' decodes to an image that breaks
   * the model.
   */
  private class FakeDecoder implements PixelDecoder {
    @Override
    public int outputSize() {
      return FakeModel.FLOATS;
    }

    @Override
    public void decode(byte[] encoded, FloatBuffer dest) throws ImageFailure {
      decodes.incrementAndGet();
      onDecode(decodes.get());
      if (encoded[0] == 'X') {
        throw new ImageFailure(ErrorCode.CORRUPT, "damaged");
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

  /** Called with the running count of decodes, on the producer thread. */
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
    return new PrefetchingPredictions(rows, 1, new FakeDecoder(), new BatchPredictor(m, 2, false), batchSize, null,
        timings);
  }

  @Test
  void everyInputRowComesOutOnceInOrderWithItsPredictionOrError() {
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      values.add(switch (i % 5) {
        case 1 -> new byte[] {'X'};
        case 2 -> null;
        case 3 -> new byte[] {'N'};
        default -> new byte[] {(byte) (i % 4)};
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

    assertEquals(List.of(true), overlapped, "the first model run saw the second batch being decoded");
    assertEquals(4, out.size());
  }

  @Test
  void prefetchStopsAtTwoBatchesAheadWhileNobodyConsumes() throws InterruptedException {
    PrefetchingPredictions it = predictions(input(classes(100)), model, 5);
    Thread.sleep(300);
    assertEquals(10, decodes.get(), "both circulating buffers filled, then the producer waits");
    int n = 0;
    while (it.hasNext()) {
      it.next();
      n++;
    }
    assertEquals(100, n);
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
