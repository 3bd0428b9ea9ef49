package io.resnetspark.job.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.S3ATestConf;
import io.resnetspark.job.testing.S3Credentials;
import io.resnetspark.job.testing.S3ProxyServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3A settings tests use are the documented template {@code conf/spark-s3a.conf} plus only what a test
 * must know; the template itself carries no secret and works with S3A's default credential chain.
 */
class S3ATestConfTest {

    private static final URI ENDPOINT = URI.create("http://127.0.0.1:9999");

    @Test
    void testSettingsAreTheTemplateWithEndpointKeysAndAnUncachedFileSystemOnTop() {
        Map<String, String> template = S3ATestConf.template();
        S3Credentials keys = S3Credentials.random();

        Map<String, String> conf = S3ATestConf.forEndpoint(ENDPOINT, keys);

        Map<String, String> added = new HashMap<>(conf);
        template.forEach((key, value) -> assertEquals(value, added.remove(key), key + " differs from the template"));
        assertEquals(Map.of(
                S3ATestConf.ENDPOINT, "http://127.0.0.1:9999",
                S3ATestConf.CREDENTIALS_PROVIDER, S3ATestConf.SIMPLE_PROVIDER,
                S3ATestConf.ACCESS_KEY, keys.accessKey(),
                S3ATestConf.SECRET_KEY, keys.secretKey(),
                S3ATestConf.DISABLE_CACHE, "true"), added);
    }

    @Test
    void templateChoosesTheMagicCommitterPathStyleAndBoundedRetries() {
        Map<String, String> template = S3ATestConf.template();

        assertEquals("magic", template.get("spark.hadoop.fs.s3a.committer.name"));
        assertEquals("org.apache.spark.internal.io.cloud.PathOutputCommitProtocol",
                template.get("spark.sql.sources.commitProtocolClass"));
        assertEquals("org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter",
                template.get("spark.sql.parquet.output.committer.class"));
        assertEquals("true", template.get("spark.hadoop.fs.s3a.path.style.access"));
        assertEquals("1", template.get("spark.hadoop.fs.s3a.retry.limit"));
        assertEquals("1", template.get("spark.hadoop.fs.s3a.attempts.maximum"));
    }

    @Test
    void templateHoldsNoKeysAndNoEndpoint() throws Exception {
        Map<String, String> template = S3ATestConf.template();

        assertFalse(template.containsKey(S3ATestConf.ACCESS_KEY));
        assertFalse(template.containsKey(S3ATestConf.SECRET_KEY));
        assertFalse(template.containsKey(S3ATestConf.CREDENTIALS_PROVIDER), "S3A's default chain decides");
        assertFalse(template.containsKey(S3ATestConf.ENDPOINT), "unset means AWS itself");
        assertTrue(Files.readString(S3ATestConf.templateFile()).contains("PRODUCTION"),
                "the bounded test values say what production should use");
    }

    /**
     * Users get S3A's default provider chain. Its first provider (temporary credentials) references STS
     * classes the project does not ship; loading the chain must still work and fall through to the keys.
     */
    @Test
    void theTemplatesDefaultCredentialChainAuthenticates(@TempDir Path runDir) throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start(runDir)) {
            Map<String, String> conf = new HashMap<>(S3ATestConf.forServer(server));
            conf.remove(S3ATestConf.CREDENTIALS_PROVIDER);
            String output = "s3a://" + S3ProxyServer.DEFAULT_BUCKET + "/chain/";
            try (SparkSession spark = S3ProxyServerTest.localSpark(conf)) {
                long begin = System.nanoTime();
                spark.range(0, 10, 1, 1).write().parquet(output);
                List<Row> back = spark.read().parquet(output).collectAsList();
                System.out.printf("[timing] write+read through the default credential chain: %d ms%n",
                        (System.nanoTime() - begin) / 1_000_000);
                assertEquals(10, back.size());
            }
        }
    }
}
