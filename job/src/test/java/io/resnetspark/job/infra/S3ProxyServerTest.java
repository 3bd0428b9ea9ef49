package io.resnetspark.job.infra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.job.testing.S3ATestConf;
import io.resnetspark.job.testing.S3Credentials;
import io.resnetspark.job.testing.S3ProxyServer;
import io.resnetspark.job.testing.Scripts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The loopback S3 server, driven through S3A from Spark {@code local[2]} with the settings of
 * {@code conf/spark-s3a.conf}: commits through the magic committer, refuses a wrong key fast, and makes a write
 * fail within a bounded time when it goes away.
 */
class S3ProxyServerTest {

    private static final String BUCKET = S3ProxyServer.DEFAULT_BUCKET;

    /** Kept when a test fails: it holds the server's or the cluster's logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path runDir;

    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() {
        server = S3ProxyServer.start(runDir.resolve("shared"));
        System.out.printf("[timing] s3proxy start: %d ms%n", server.lastStartTime().toMillis());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void listensOnLoopbackWithAnAbsoluteDataDirectoryAndTheDefaultBucket() {
        assertEquals("127.0.0.1", server.endpoint().getHost());
        assertTrue(server.isRunning());
        assertTrue(server.dataDir().isAbsolute());
        assertTrue(Files.isDirectory(server.dataDir().resolve(BUCKET)), "filesystem backend: one directory per bucket");
    }

    @Test
    void startingItAgainReportsTheRunningServerAndPrintsNoSecret() {
        Map<String, String> env = Map.of(
                "RESNET_SPARK_RUN_DIR", runDir.resolve("shared").toString(),
                S3Credentials.ACCESS_KEY_VARIABLE, server.credentials().accessKey(),
                S3Credentials.SECRET_KEY_VARIABLE, server.credentials().secretKey());

        String output = Scripts.run("start-s3.sh", List.of(), env, Duration.ofMinutes(2));

        assertTrue(output.contains("s3proxy already running (pid " + server.pid() + ")"), output);
        assertTrue(output.contains("S3 endpoint:   " + server.endpoint()), output);
        assertFalse(output.contains(server.credentials().secretKey()), "the secret is never printed");
    }

    @Test
    void theSecretIsOnlyInOwnerReadableFilesAndNeverInTheLogOrTheSparkConf() throws Exception {
        Path s3 = runDir.resolve("shared/s3");
        String secret = server.credentials().secretKey();

        for (String file : List.of("s3proxy.properties", "credentials.env")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s3.resolve(file))), file);
        }
        for (String file : List.of("s3proxy.log", "s3.env", "spark-s3a.conf")) {
            assertFalse(Files.readString(s3.resolve(file)).contains(secret), file + " holds the secret");
        }
        assertTrue(Files.readString(s3.resolve("spark-s3a.conf"))
                .contains("spark.hadoop.fs.s3a.endpoint " + server.endpoint()), "developer conf names the endpoint");
    }

    @Test
    void uploadsADirectoryTreeUnderAPrefix(@TempDir Path local) throws Exception {
        Files.createDirectories(local.resolve("cats/tabby"));
        Files.writeString(local.resolve("cats/tabby/a.jpg"), "a");
        Files.writeString(local.resolve("b.png"), "bb");

        List<String> keys = server.uploadDirectory(local, BUCKET, "upload/images");

        assertEquals(List.of("upload/images/b.png", "upload/images/cats/tabby/a.jpg"), keys);
        assertEquals(keys, server.listKeys(BUCKET, "upload/images/"));
        assertArrayEquals("a".getBytes(StandardCharsets.UTF_8), server.getObject(BUCKET, "upload/images/cats/tabby/a.jpg"));
    }

    @Test
    void sparkWritesParquetThroughTheMagicCommitterAndReadsItBack() throws Exception {
        String output = "s3a://" + BUCKET + "/smoke/labels/";
        try (SparkSession spark = localSpark(S3ATestConf.forServer(server))) {
            Dataset<Row> labels = spark.range(0, 200, 1, 4)
                    .selectExpr("id", "concat('image-', id, '.jpg') AS path", "CAST(id % 1000 AS INT) AS index");

            long begin = System.nanoTime();
            labels.write().mode("overwrite").parquet(output);
            long written = System.nanoTime();
            List<Row> back = spark.read().parquet(output).orderBy("id").collectAsList();
            System.out.printf("[timing] s3a parquet write %d ms, read back %d ms%n",
                    millisSince(begin) - millisSince(written), millisSince(written));

            assertEquals(200, back.size());
            for (int i = 0; i < back.size(); i++) {
                assertEquals(i, back.get(i).getLong(0));
                assertEquals("image-" + i + ".jpg", back.get(i).getString(1));
            }
        }

        // The magic committer's _SUCCESS is a JSON manifest (an empty file would mean the classic committer).
        JsonNode manifest = new ObjectMapper().readTree(server.getObject(BUCKET, "smoke/labels/_SUCCESS"));
        assertEquals("magic", manifest.get("committer").asText());
        assertTrue(manifest.get("success").asBoolean());
        List<String> parts = server.listKeys(BUCKET, "smoke/labels/").stream().filter(k -> k.contains("/part-")).toList();
        assertEquals(4, parts.size(), "one file per partition");
        assertEquals(parts.size(), manifest.get("filenames").size());
        assertTrue(server.listKeys(BUCKET, "smoke/labels/").stream().noneMatch(k -> k.contains("__magic")),
                "job commit cleaned up the committer's staging area");
    }

    @Test
    void aWrongSecretFailsFastWithAccessDenied() throws Exception {
        S3Credentials wrong = server.credentials().withWrongSecret();
        try (SparkSession spark = localSpark(S3ATestConf.forEndpoint(server.endpoint(), wrong))) {
            long begin = System.nanoTime();
            Exception failure = assertThrows(Exception.class,
                    () -> spark.read().parquet("s3a://" + BUCKET + "/anything/").count());
            long millis = millisSince(begin);
            System.out.printf("[timing] wrong credential rejected after %d ms%n", millis);

            String chain = causeChain(failure);
            assertTrue(chain.contains("java.nio.file.AccessDeniedException"), chain);
            assertTrue(chain.contains("403"), chain);
            assertFalse(chain.contains(wrong.secretKey()), "the secret never appears in an error");
            assertTrue(millis < 20_000, "no retries on 403: " + millis + " ms");
        }
    }

    @Test
    void aWriteFailsWithinBoundedTimeWhenTheServerStopsAndLeavesNothingVisible() throws Exception {
        try (S3ProxyServer own = S3ProxyServer.start(runDir.resolve("stopped"));
             SparkSession spark = localSpark(S3ATestConf.forServer(own))) {
            String prefix = "stopped/labels/";
            CountDownLatch someTasksDone = new CountDownLatch(4);
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                    someTasksDone.countDown();
                }
            });
            // 40 slow partitions on 2 threads: the job is still writing when the server goes away.
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> slowIds(spark, 4_000, 40, 300)
                    .write().mode("overwrite").parquet("s3a://" + BUCKET + "/" + prefix));
            assertTrue(someTasksDone.await(2, TimeUnit.MINUTES), "tasks did not start");

            own.stop();
            long stoppedAt = System.nanoTime();
            ExecutionException failure = assertThrows(ExecutionException.class, () -> write.get(3, TimeUnit.MINUTES));
            long millis = millisSince(stoppedAt);
            System.out.printf("[timing] write failed %d ms after the server stopped: %s%n", millis,
                    firstLine(failure.getCause()));
            assertTrue(millis < 60_000, "bounded by conf/spark-s3a.conf's retry and timeout settings: " + millis + " ms");
            assertTrue(causeChain(failure).contains("Connection refused"), causeChain(failure));

            own.restart();
            // What may remain is the committer's staging area (__magic*, which readers skip like any _-prefixed
            // path) and S3A's empty directory markers (keys ending in '/').
            List<String> visible = own.listKeys(BUCKET, prefix).stream()
                    .filter(k -> !k.contains("/__magic") && !k.endsWith("/"))
                    .toList();
            assertEquals(List.of(), visible, "no _SUCCESS and no data file: readers see no partial table");
            Exception read = assertThrows(Exception.class,
                    () -> spark.read().parquet("s3a://" + BUCKET + "/" + prefix).count());
            assertTrue(causeChain(read).contains("UNABLE_TO_INFER_SCHEMA"), causeChain(read));
        }
    }

    @Test
    void aKilledServerRestartsOnTheSamePortWithItsData() {
        try (S3ProxyServer own = S3ProxyServer.start(runDir.resolve("killed"))) {
            byte[] content = "survives a SIGKILL".getBytes(StandardCharsets.UTF_8);
            own.putObject(BUCKET, "kept/object.txt", content);
            int port = own.port();

            own.kill();
            assertFalse(own.isRunning());
            assertThrows(SdkClientException.class, () -> own.getObject(BUCKET, "kept/object.txt"));

            own.restart();
            System.out.printf("[timing] s3proxy restart: %d ms%n", own.lastStartTime().toMillis());
            assertTrue(own.isRunning());
            assertEquals(port, own.port());
            assertArrayEquals(content, own.getObject(BUCKET, "kept/object.txt"));
        }
    }

    static SparkSession localSpark(Map<String, String> conf) {
        SparkSession.Builder builder = SparkSession.builder()
                .master("local[2]")
                .appName("S3ProxyServerTest")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4");
        conf.forEach(builder::config);
        return builder.getOrCreate();
    }

    /** Ids 0..count-1 in {@code partitions} partitions, each of which takes {@code millis} to produce. */
    static Dataset<Long> slowIds(SparkSession spark, long count, int partitions, long millis) {
        long perPartition = count / partitions;
        return spark.range(0, count, 1, partitions).map((MapFunction<Long, Long>) id -> {
            if (id % perPartition == 0) {
                Thread.sleep(millis);
            }
            return id;
        }, Encoders.LONG());
    }

    static String causeChain(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(t.getClass().getName() + ": " + t.getMessage());
        }
        return String.join("\n caused by ", messages);
    }

    private static String firstLine(Throwable t) {
        String text = t.getClass().getSimpleName() + ": " + t.getMessage();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static long millisSince(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime).toMillis();
    }
}
