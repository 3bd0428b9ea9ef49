package io.resnetspark.job.testing;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A test-only S3 key pair for the loopback server. Never a real AWS secret: it comes from
 * {@code RESNET_SPARK_S3_ACCESS_KEY}/{@code RESNET_SPARK_S3_SECRET_KEY} (environment or system properties of
 * the same name) or is generated per server. {@link #toString()} hides the secret so it cannot reach a log.
 */
public record S3Credentials(String accessKey, String secretKey) {

    public static final String ACCESS_KEY_VARIABLE = "RESNET_SPARK_S3_ACCESS_KEY";
    public static final String SECRET_KEY_VARIABLE = "RESNET_SPARK_S3_SECRET_KEY";

    private static final SecureRandom RANDOM = new SecureRandom();

    public S3Credentials {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        // The start script passes them through a properties file and a curl config line.
        if (!accessKey.matches("[A-Za-z0-9+/=._-]+") || !secretKey.matches("[A-Za-z0-9+/=._-]+")) {
            throw new IllegalArgumentException("S3 test keys may only use [A-Za-z0-9+/=._-]");
        }
    }

    /** The configured pair if both halves are set, else a fresh random one. */
    public static S3Credentials fromEnvironmentOrRandom() {
        String access = setting(ACCESS_KEY_VARIABLE);
        String secret = setting(SECRET_KEY_VARIABLE);
        if (access != null && secret != null) {
            return new S3Credentials(access, secret);
        }
        return random();
    }

    public static S3Credentials random() {
        return new S3Credentials("test-" + hex(8), hex(24));
    }

    /** The same identity with another secret: what a client with a wrong or stale key sends. */
    public S3Credentials withWrongSecret() {
        return new S3Credentials(accessKey, hex(24));
    }

    @Override
    public String toString() {
        return "S3Credentials[accessKey=" + accessKey + ", secretKey=<redacted>]";
    }

    private static String setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? null : value;
    }

    private static String hex(int bytes) {
        byte[] data = new byte[bytes];
        RANDOM.nextBytes(data);
        return HexFormat.of().formatHex(data);
    }
}
