package io.resnetspark.job.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Spark/Hadoop settings for s3a:// against an {@link S3ProxyServer}: exactly the documented template
 * {@code conf/spark-s3a.conf} (read from the file, so the tests and what users copy cannot drift apart) plus
 * the few values that only a test knows: the endpoint, the test keys and a fresh FileSystem per session.
 */
public final class S3ATestConf {

    /** The template users copy, relative to the repository root. */
    public static final String TEMPLATE = "spark-s3a.conf";

    public static final String ENDPOINT = "spark.hadoop.fs.s3a.endpoint";
    public static final String CREDENTIALS_PROVIDER = "spark.hadoop.fs.s3a.aws.credentials.provider";
    public static final String ACCESS_KEY = "spark.hadoop.fs.s3a.access.key";
    public static final String SECRET_KEY = "spark.hadoop.fs.s3a.secret.key";
    public static final String DISABLE_CACHE = "spark.hadoop.fs.s3a.impl.disable.cache";

    /** Reads keys from fs.s3a.access.key / fs.s3a.secret.key, which Spark redacts in logs and the UI. */
    public static final String SIMPLE_PROVIDER = "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider";

    private S3ATestConf() {
    }

    /** The settings of {@code conf/spark-s3a.conf} as they are in the file. */
    public static Map<String, String> template() {
        return Scripts.readSparkConf(templateFile());
    }

    public static Path templateFile() {
        return ProjectFiles.conf(TEMPLATE);
    }

    /** Settings for a client that holds the server's own keys. */
    public static Map<String, String> forServer(S3ProxyServer server) {
        return forEndpoint(server.endpoint(), server.credentials());
    }

    /** Settings for a client of {@code endpoint} that signs with {@code credentials} (right or wrong ones). */
    public static Map<String, String> forEndpoint(URI endpoint, S3Credentials credentials) {
        Map<String, String> conf = new LinkedHashMap<>(template());
        conf.put(ENDPOINT, endpoint.toString());
        // Tests pass keys explicitly instead of through the environment chain of the template: the surefire JVM's
        // environment is fixed, and a test needs a wrong key next to a right one.
        conf.put(CREDENTIALS_PROVIDER, SIMPLE_PROVIDER);
        conf.put(ACCESS_KEY, credentials.accessKey());
        conf.put(SECRET_KEY, credentials.secretKey());
        // Hadoop caches one FileSystem per scheme, bucket and user for the whole JVM: without this, a session
        // with other keys, or against a server on another port with a bucket of the same name, would silently
        // get the first session's S3AFileSystem.
        conf.put(DISABLE_CACHE, "true");
        return Collections.unmodifiableMap(conf);
    }
}
