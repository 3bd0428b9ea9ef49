package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** A partition's reads with a bounded window in flight: order, bounds, one row per input, and stopping. */
class OverlappedReadsTest {
  static final AtomicInteger NAMES = new AtomicInteger();

  /** Input rows (name, bytes). */
  static List<Row> files(long... sizes) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      rows.add(RowFactory.create("f" + i, sizes[i]));
    }
    return rows;
  }

  static long size(Row row) {
    return row.getLong(1);
  }

  /** A read that takes {@code millis} and counts how many run at once. */
  static final class TimedRead implements Function<Row, Row> {
    final long millis;
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostRunning = new AtomicInteger();
    final AtomicLong mostBytes = new AtomicLong();
    final AtomicLong bytesRunning = new AtomicLong();

    TimedRead(long millis) {
      this.millis = millis;
    }

    @Override
    public Row apply(Row listed) {
      mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      mostBytes.accumulateAndGet(bytesRunning.addAndGet(size(listed)), Math::max);
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        bytesRunning.addAndGet(-size(listed));
        running.decrementAndGet();
      }
      return RowFactory.create(listed.getString(0), "read");
    }
  }

  static String threadName() {
    return "overlapped-reads-test-" + NAMES.incrementAndGet();
  }

  static OverlappedReads reads(List<Row> input, Function<Row, Row> read, int reads, long bytes, String threads) {
    return new OverlappedReads(input.iterator(), read, OverlappedReadsTest::size,
        new OverlappedReads.Window(reads, bytes), nanos -> { }, threads, () -> { });
  }

  static List<String> drain(OverlappedReads reads) {
    List<String> names = new ArrayList<>();
    reads.forEachRemaining(row -> names.add(row.getString(0)));
    return names;
  }

  static boolean anyThreadAlive(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix) && t.isAlive());
  }

  @Test
  void everyInputYieldsOneRowInInputOrderThoughReadsFinishOutOfOrder() {
    List<Row> input = files(new long[40]);
    Function<Row, Row> read = listed -> {
      int i = Integer.parseInt(listed.getString(0).substring(1));
      try {
        // Later files finish first within each window.
        Thread.sleep(2 + (7 - i % 8) * 3L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return RowFactory.create(listed.getString(0), "read");
    };
    List<String> expected = IntStream.range(0, 40).mapToObj(i -> "f" + i).toList();
    assertEquals(expected, drain(reads(input, read, 8, 1000, threadName())));
  }

  @Test
  void atMostTheWindowsReadsRunAtOnceAndTheWindowIsUsed() {
    TimedRead read = new TimedRead(20);
    assertEquals(30, drain(reads(files(new long[30]), read, 4, 1000, threadName())).size());
    assertEquals(4, read.mostRunning.get());
  }

  @Test
  void theBytesInFlightStayWithinTheWindowsBytes() {
    TimedRead read = new TimedRead(10);
    long[] sizes = new long[30];
    Arrays.fill(sizes, 30);
    OverlappedReads reads = reads(files(sizes), read, 16, 100, threadName());
    while (reads.hasNext()) {
      assertTrue(reads.reservedBytes() <= 100, "reserved " + reads.reservedBytes());
      reads.next();
    }
    assertEquals(3, read.mostRunning.get(), "three files of 30 bytes fit in 100 bytes, not sixteen");
    assertTrue(read.mostBytes.get() <= 100);
  }

  @Test
  void aFileLargerThanTheBytesIsReadAlone() {
    TimedRead read = new TimedRead(15);
    OverlappedReads reads = reads(files(10, 10, 500, 10, 10), read, 16, 100, threadName());
    assertEquals(List.of("f0", "f1"), List.of(reads.next().getString(0), reads.next().getString(0)));
    assertEquals(1, reads.inFlight(), "the large file waits until the window is empty, then goes alone");
    assertEquals(500, reads.reservedBytes());
    assertEquals("f2", reads.next().getString(0));
    assertEquals(List.of("f3", "f4"), drain(reads));
  }

  @Test
  void oneReadInFlightReadsOnTheCallersThreadWithoutAPool() {
    String threads = threadName();
    AtomicReference<Thread> readers = new AtomicReference<>();
    AtomicBoolean otherThread = new AtomicBoolean();
    Function<Row, Row> read = listed -> {
      otherThread.compareAndSet(false, Thread.currentThread() != readers.get());
      return listed;
    };
    readers.set(Thread.currentThread());
    assertEquals(List.of("f0", "f1", "f2"), drain(reads(files(1, 2, 3), read, 1, 1000, threads)));
    assertFalse(otherThread.get());
  }

  @Test
  void theTimeSpentWaitingForReadsIsReported() {
    AtomicLong waited = new AtomicLong();
    OverlappedReads reads = new OverlappedReads(files(new long[6]).iterator(), new TimedRead(20),
        OverlappedReadsTest::size, new OverlappedReads.Window(2, 1000), waited::addAndGet, threadName(), () -> { });
    long start = System.nanoTime();
    drain(reads);
    long wall = System.nanoTime() - start;
    // Six reads of 20 ms, two at a time: about 60 ms of waiting, never more than the wall time.
    assertTrue(waited.get() >= TimeUnit.MILLISECONDS.toNanos(50), "waited " + waited.get());
    assertTrue(waited.get() <= wall, "waited " + waited.get() + " of " + wall);
  }

  @Test
  void closingMidwayStopsThePoolAndRunsTheCloseActionOnce() throws InterruptedException {
    String threads = threadName();
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger closeActions = new AtomicInteger();
    Function<Row, Row> blocked = listed -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return listed;
    };
    OverlappedReads reads = new OverlappedReads(files(new long[10]).iterator(), blocked, OverlappedReadsTest::size,
        new OverlappedReads.Window(4, 1000), nanos -> { }, threads, closeActions::incrementAndGet);
    assertTrue(reads.hasNext());
    assertEquals(4, reads.inFlight());
    assertTrue(anyThreadAlive(threads));

    reads.close();
    reads.close();
    assertFalse(anyThreadAlive(threads), "the abandoned reads' threads are gone");
    assertEquals(1, closeActions.get());
    IllegalStateException e = assertThrows(IllegalStateException.class, reads::hasNext);
    assertTrue(e.getMessage().contains("stopped"), e.getMessage());
  }

  @Test
  void anInterruptedConsumerStopsTheReads() throws InterruptedException {
    String threads = threadName();
    CountDownLatch started = new CountDownLatch(1);
    Function<Row, Row> slow = listed -> {
      started.countDown();
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return listed;
    };
    OverlappedReads reads = reads(files(new long[5]), slow, 3, 1000, threads);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread consumer = new Thread(() -> {
      try {
        reads.next();
      } catch (RuntimeException e) {
        failure.set(e);
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      }
    });
    consumer.start();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    consumer.interrupt();
    consumer.join(10_000);
    assertInstanceOf(IllegalStateException.class, failure.get());
    assertTrue(stillInterrupted.get(), "the interrupt is kept for the task");
    assertFalse(anyThreadAlive(threads));
  }

  @Test
  void aFailureTheReadDoesNotTurnIntoARowFailsTheConsumer() {
    String threads = threadName();
    AssertionError bug = new AssertionError("a bug");
    Function<Row, Row> broken = listed -> {
      throw bug;
    };
    OverlappedReads reads = reads(files(1, 2), broken, 2, 1000, threads);
    assertSame(bug, assertThrows(AssertionError.class, reads::next));
    assertFalse(anyThreadAlive(threads));
  }

  @Test
  void aWindowNeedsAReadAndAByte() {
    assertThrows(IllegalArgumentException.class, () -> new OverlappedReads.Window(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new OverlappedReads.Window(1, 0));
  }
}
