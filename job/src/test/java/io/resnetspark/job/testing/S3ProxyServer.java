package io.resnetspark.job.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-compatible server (s3proxy, filesystem backend) on 127.0.0.1, in its own JVM, started and stopped
 * through {@code scripts/start-s3.sh} / {@code scripts/stop-s3.sh}. Its own process because s3proxy's Jetty 12
 * and AWS SDK clash with Spark's on one class path.
 *
 * <p>For fault tests it can be stopped (SIGTERM), killed (SIGKILL) and {@linkplain #restart() restarted} on the
 * same port over the same data directory, so clients configured with {@link #endpoint()} reconnect to the
 * same buckets and objects.
 */
public final class S3ProxyServer implements AutoCloseable {

    /** The bucket every server starts with. */
    public static final String DEFAULT_BUCKET = "resnet-spark";

    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);

    private final Path runDir;
    private final S3Credentials credentials;
    private final Thread shutdownHook;
    private Map<String, String> state;
    private Duration lastStartTime;
    private S3Client client;

    private S3ProxyServer(Path runDir, S3Credentials credentials) {
        this.runDir = runDir.toAbsolutePath().normalize();
        this.credentials = credentials;
        // A test that dies without close() must not leave a server behind for the next build.
        this.shutdownHook = new Thread(this::killQuietly, "s3proxy-shutdown");
    }

    /** Starts a server with keys from the environment or random ones; state goes to {@code runDir/s3}. */
    public static S3ProxyServer start(Path runDir) {
        return start(runDir, S3Credentials.fromEnvironmentOrRandom());
    }

    public static S3ProxyServer start(Path runDir, S3Credentials credentials) {
        S3ProxyServer server = new S3ProxyServer(runDir, credentials);
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        try {
            server.startOnPort(0);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Starts the server again on the same port and data directory, after {@link #stop()} or {@link #kill()}. */
    public void restart() {
        startOnPort(port());
    }

    /** Graceful stop (SIGTERM through stop-s3.sh); data stays for {@link #restart()}. */
    public void stop() {
        Scripts.run("stop-s3.sh", List.of(), scriptEnv(), SCRIPT_TIMEOUT);
    }

    /** SIGKILL, as when the machine or container under the server dies; returns once the process is gone. */
    public void kill() {
        process().ifPresent(process -> {
            process.destroyForcibly();
            process.onExit().join();
        });
    }

    public boolean isRunning() {
        return process().isPresent();
    }

    public URI endpoint() {
        return URI.create(state.get("S3_ENDPOINT"));
    }

    public int port() {
        return Integer.parseInt(state.get("S3_PORT"));
    }

    public long pid() {
        return Long.parseLong(state.get("S3_PID"));
    }

    /** Where the filesystem backend keeps buckets (one directory each) and objects. */
    public Path dataDir() {
        return Path.of(state.get("S3_DATA_DIR"));
    }

    public Path logFile() {
        return Path.of(state.get("S3_LOG"));
    }

    public S3Credentials credentials() {
        return credentials;
    }

    /** How long the last start or restart took, scripts included. */
    public Duration lastStartTime() {
        return lastStartTime;
    }

    /** An AWS SDK v2 client for this server (path-style, static test keys); closed with the server. */
    public synchronized S3Client client() {
        if (client == null) {
            client = S3Client.builder()
                    .endpointOverride(endpoint())
                    .region(Region.US_EAST_1)
                    .forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(credentials.accessKey(), credentials.secretKey())))
                    .httpClientBuilder(ApacheHttpClient.builder())
                    .build();
        }
        return client;
    }

    /** Creates a bucket; an existing one is fine. Names under 3 characters are refused by the SDK. */
    public void createBucket(String bucket) {
        try {
            client().createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException alreadyThere) {
            // Idempotent, like the start script.
        }
    }

    public void putObject(String bucket, String key, byte[] content) {
        client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    /**
     * Uploads every regular file under {@code localDir} to {@code bucket} under {@code prefix} (keys use '/'),
     * keeping the relative layout; returns the keys written, sorted.
     */
    public List<String> uploadDirectory(Path localDir, String bucket, String prefix) {
        String base = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(localDir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String key = base + localDir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
                keys.add(key);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + localDir, e);
        }
        return keys;
    }

    public byte[] getObject(String bucket, String key) {
        return client().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** All keys under a prefix, sorted, across result pages. */
    public List<String> listKeys(String bucket, String prefix) {
        return client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                .sorted()
                .toList();
    }

    /** Stops the server and releases the client; the run directory with its data and log stays. */
    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        try {
            // Also after a failed start: the script may have got as far as starting the process.
            stop();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // Already running as part of JVM shutdown.
            }
        }
    }

    @Override
    public String toString() {
        return "S3ProxyServer[" + (state == null ? "not started" : endpoint() + ", pid " + pid()) + "]";
    }

    private void startOnPort(int port) {
        Instant begin = Instant.now();
        Map<String, String> env = scriptEnv();
        env.put("S3_PORT", Integer.toString(port));
        Scripts.run("start-s3.sh", List.of("--bucket", DEFAULT_BUCKET), env, SCRIPT_TIMEOUT);
        state = Scripts.readState(runDir.resolve("s3/s3.env"));
        lastStartTime = Duration.between(begin, Instant.now());
        if (client != null) {
            // Pooled connections point at the old process; the port may also have changed.
            client.close();
            client = null;
        }
    }

    private Map<String, String> scriptEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("RESNET_SPARK_RUN_DIR", runDir.toString());
        env.put(S3Credentials.ACCESS_KEY_VARIABLE, credentials.accessKey());
        env.put(S3Credentials.SECRET_KEY_VARIABLE, credentials.secretKey());
        return env;
    }

    private Optional<ProcessHandle> process() {
        if (state == null) {
            return Optional.empty();
        }
        // The pid alone could be reused by another process after a kill; s3proxy's command line names our
        // properties file.
        return Processes.liveWithMarker(pid(), runDir.resolve("s3/s3proxy.properties").toString());
    }

    private void killQuietly() {
        try {
            kill();
        } catch (RuntimeException ignored) {
            // JVM shutdown: nothing left to report to.
        }
    }
}
