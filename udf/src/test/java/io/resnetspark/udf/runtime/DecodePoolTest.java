package io.resnetspark.udf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DecodePoolTest {
  @Test
  void everyCallerGetsTheOnePoolOfTheJvmWithTheThreadsAsked() throws Exception {
    ExecutorService pool = DecodePool.sized(2);
    assertSame(pool, DecodePool.sized(2), "one pool per executor JVM, shared by its tasks");
    CountDownLatch release = new CountDownLatch(1);
    List<Future<?>> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(pool.submit(() -> {
        release.await(10, TimeUnit.SECONDS);
        return null;
      }));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (DecodePool.active() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(2, DecodePool.active(), "two threads decode");
    assertEquals(3, DecodePool.queued(), "the rest wait for them");
    release.countDown();
    for (Future<?> job : jobs) {
      job.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSmallerSizeTakesEffectForImagesNotYetStarted() throws Exception {
    ExecutorService pool = DecodePool.sized(3);
    assertSame(pool, DecodePool.sized(1));
    CountDownLatch release = new CountDownLatch(1);
    List<Future<?>> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(pool.submit(() -> {
        release.await(10, TimeUnit.SECONDS);
        return null;
      }));
    }
    Thread.sleep(100);
    assertEquals(1, DecodePool.active());
    release.countDown();
    for (Future<?> job : jobs) {
      job.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void itsThreadsAreNamedDaemonsSoTheyNeverKeepTheJvmAlive() throws Exception {
    Thread thread = DecodePool.sized(1).submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
    assertTrue(thread.isDaemon());
    assertTrue(thread.getName().startsWith("resnet-decode-"), thread.getName());
  }

  @Test
  void aSizeBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> DecodePool.sized(0));
  }
}
