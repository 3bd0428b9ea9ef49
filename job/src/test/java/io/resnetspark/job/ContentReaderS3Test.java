package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.DelayingProxy;
import io.resnetspark.job.testing.S3ATestConf;
import io.resnetspark.job.testing.S3ProxyServer;
import io.resnetspark.udf.errors.ErrorCode;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * One task's reads from the S3 server the tests start, with 50 ms added to every request by a proxy on the
 * loopback path (what a GET's first-byte latency on AWS costs): one read at a time reads about 20 files a second
 * (fewer on a busy machine), the default window of reads in flight at least 200; and a server that fails some reads gives those files, and only
 * those, UNREADABLE rows.
 */
class ContentReaderS3Test {
  static final String BUCKET = S3ProxyServer.DEFAULT_BUCKET;
  static final Duration LATENCY = Duration.ofMillis(50);
  static final long MAX_BYTES = 64L << 20;
  static final int FILES = 300;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;
  static S3ProxyServer server;
  /** Small objects like thumbnails: key to content. */
  static final Map<String, byte[]> objects = new LinkedHashMap<>();

  @BeforeAll
  static void serverWithSmallObjects() {
    server = S3ProxyServer.start(dir.resolve("run"));
    Random random = new Random(13);
    for (int i = 0; i < FILES; i++) {
      byte[] content = new byte[200 + random.nextInt(800)];
      random.nextBytes(content);
      objects.put(String.format("thumbs/t-%03d.jpg", i), content);
    }
    objects.entrySet().parallelStream().forEach(o -> server.putObject(BUCKET, o.getKey(), o.getValue()));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Hadoop settings of conf/spark-s3a.conf for a client of {@code proxy}. */
  static Configuration conf(DelayingProxy proxy) {
    Configuration conf = new Configuration();
    S3ATestConf.forEndpoint(proxy.endpoint(), server.credentials()).forEach((key, value) -> {
      if (key.startsWith("spark.hadoop.")) {
        conf.set(key.substring("spark.hadoop.".length()), value);
      }
    });
    return conf;
  }

  /** The listing's rows for {@code keys}, with their lengths. */
  static List<Row> listed(List<String> keys) {
    List<Row> rows = new ArrayList<>();
    for (String key : keys) {
      byte[] content = objects.get(key);
      rows.add(RowFactory.create("s3a://" + BUCKET + "/" + key, null, content == null ? 10L : (long) content.length));
    }
    return rows;
  }

  /** Files per second of one task's reads, from its first row to its last (the client's set-up excluded). */
  record Measured(List<Row> rows, double filesPerSecond, long waitedNanos, long wallNanos) {
  }

  static Measured read(Configuration conf, List<Row> listed, OverlappedReads.Window window) {
    AtomicLong waited = new AtomicLong();
    List<Row> rows = new ArrayList<>();
    long start = System.nanoTime();
    long first = 0;
    Iterator<Row> reads = ContentReader.reads(listed.iterator(), conf, MAX_BYTES, window, waited::addAndGet,
        "s3-test-read");
    while (reads.hasNext()) {
      rows.add(reads.next());
      if (rows.size() == 1) {
        first = System.nanoTime();
      }
    }
    long end = System.nanoTime();
    return new Measured(rows, (rows.size() - 1) / ((end - first) / 1e9), waited.get(), end - start);
  }

  static void assertContent(List<Row> listed, List<Row> rows) {
    assertEquals(listed.size(), rows.size(), "one row per listed file");
    for (int i = 0; i < listed.size(); i++) {
      Row row = rows.get(i);
      assertEquals(listed.get(i).getString(0), row.getString(0), "rows keep the listing's order");
      assertNull(row.get(4), row.getString(0) + ": " + row.getString(5));
      String key = row.getString(0).substring(("s3a://" + BUCKET + "/").length());
      assertArrayEquals(objects.get(key), (byte[]) row.get(3), key);
    }
  }

  @Test
  void overlappedReadsOutpaceOneAtATimeUnderLatency() {
    try (DelayingProxy proxy = DelayingProxy.start(server.endpoint(), LATENCY)) {
      Configuration conf = conf(proxy);
      List<String> keys = new ArrayList<>(objects.keySet());
      List<Row> some = listed(keys.subList(0, 30));
      List<Row> all = listed(keys);
      OverlappedReads.Window defaults = new OverlappedReads.Window(
          Integer.parseInt(JobOptions.DEFAULT_READS_IN_FLIGHT),
          JavaUtils.byteStringAsBytes(JobOptions.DEFAULT_READ_BYTES_IN_FLIGHT));

      // The JIT's first pass over the S3A client would count against whichever is measured first.
      read(conf, all, defaults);
      int before = proxy.requests();
      Measured serial = read(conf, some, new OverlappedReads.Window(1, defaults.bytes()));
      assertEquals(some.size(), proxy.requests() - before, "one request (a GET, no HEAD) per file");
      // Other builds share this machine's cores, and the JIT is still at work on the client: the best of up to four
      // passes is what a task can do.
      Measured overlapped = null;
      double load = 0;
      for (int pass = 0; pass < 4 && (overlapped == null || overlapped.filesPerSecond() < 200); pass++) {
        Measured m = read(conf, all, defaults);
        load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf("one task, %d ms per request, load average %.1f: one at a time %.1f files/s (%d files), "
                + "%d in flight %.1f files/s (%d files; waited for reads %.0f%% of the wall time)%n",
            LATENCY.toMillis(), load, serial.filesPerSecond(), some.size(), defaults.reads(), m.filesPerSecond(),
            all.size(), 100.0 * m.waitedNanos() / m.wallNanos());
        if (overlapped == null || m.filesPerSecond() > overlapped.filesPerSecond()) {
          overlapped = m;
        }
      }

      assertContent(some, serial.rows());
      assertContent(all, overlapped.rows());
      assertTrue(serial.filesPerSecond() < 21, "each read waits the latency: " + serial.filesPerSecond());
      assertTrue(overlapped.filesPerSecond() >= 6 * serial.filesPerSecond(),
          overlapped.filesPerSecond() + " vs " + serial.filesPerSecond());
      // Each read costs the client and the server a few ms of CPU: with other builds queueing for the cores (a load
      // average of many times their number) that, not the latency, bounds the rate; the ratio above still holds.
      int cores = Runtime.getRuntime().availableProcessors();
      if (load <= 2 * cores) {
        assertTrue(overlapped.filesPerSecond() >= 200, "overlapped: " + overlapped.filesPerSecond());
      }
      assertTrue(overlapped.waitedNanos() > 0 && overlapped.waitedNanos() <= overlapped.wallNanos());
    }
  }

  @Test
  void aServerThatFailsSomeReadsGivesThoseFilesAndOnlyThoseUnreadableRows() {
    Set<String> failing = Set.of("thumbs/t-003.jpg", "thumbs/t-004.jpg", "thumbs/t-050.jpg", "thumbs/t-119.jpg");
    try (DelayingProxy proxy = DelayingProxy.start(server.endpoint(), Duration.ofMillis(5),
        requestLine -> failing.stream().anyMatch(key -> requestLine.contains("/" + BUCKET + "/" + key + " ")))) {
      Configuration conf = conf(proxy);
      // S3A retries a 500 after its retry interval: keep the test fast.
      conf.set("fs.s3a.retry.interval", "10ms");
      List<String> keys = new ArrayList<>(objects.keySet()).subList(0, 120);
      List<Row> listed = new ArrayList<>(listed(keys));
      listed.add(60, RowFactory.create("s3a://" + BUCKET + "/thumbs/deleted-since-listed.jpg", null, 10L));

      List<Row> rows = read(conf, listed, new OverlappedReads.Window(16, 1L << 20)).rows();
      assertEquals(listed.size(), rows.size(), "one row per listed file");
      for (int i = 0; i < listed.size(); i++) {
        Row row = rows.get(i);
        String path = listed.get(i).getString(0);
        String key = path.substring(("s3a://" + BUCKET + "/").length());
        assertEquals(path, row.getString(0));
        if (failing.contains(key)) {
          assertEquals(ErrorCode.UNREADABLE.name(), row.getString(4), key);
          assertNull(row.get(3));
          assertTrue(row.getString(5).startsWith("cannot read the file") && row.getString(5).contains("500"),
              row.getString(5));
        } else if (!objects.containsKey(key)) {
          assertEquals(ErrorCode.UNREADABLE.name(), row.getString(4), key);
          assertTrue(row.getString(5).startsWith("the file was listed but is gone"), row.getString(5));
        } else {
          assertNull(row.get(4), key + ": " + row.getString(5));
          assertArrayEquals(objects.get(key), (byte[]) row.get(3), key);
        }
      }
      assertTrue(proxy.failed() >= failing.size(), "the proxy failed " + proxy.failed() + " requests");
    }
  }
}
