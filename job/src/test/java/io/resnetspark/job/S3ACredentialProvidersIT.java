package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.ProjectFiles;
import java.io.File;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credential providers conf/spark-s3a.conf documents resolve from the shaded job jar on the class path of a
 * Spark binary distribution (the spark-distribution module's jars: no AWS SDK, no hadoop-aws). No network call: the
 * classes load, and the web identity provider, which finds STS by reflection, can be built.
 */
class S3ACredentialProvidersIT {
  static final Pattern PROVIDER =
      Pattern.compile("\\b(?:org\\.apache\\.hadoop\\.fs\\.s3a|software\\.amazon\\.awssdk)\\.[A-Za-z0-9_.]*Provider\\b");

  @TempDir
  Path dir;

  /** The shaded jar this build packaged (failsafe names it). */
  static Path shadedJar() {
    Path jar = Path.of(System.getProperty("resnet.spark.job.jar", "job/target/missing.jar"));
    assertTrue(Files.isRegularFile(jar), "no shaded job jar " + jar + ": run mvn verify");
    return jar;
  }

  /** The jar, then the jars of a Spark binary distribution (the spark-distribution module's class path file). */
  static List<URL> sparkJarsAnd(Path jar) throws Exception {
    Path classPathFile = Path.of(System.getProperty("resnet.spark.distribution.classpath",
        "spark-distribution/target/spark-distribution.classpath"));
    List<URL> urls = new ArrayList<>(List.of(jar.toUri().toURL()));
    for (String entry : Files.readString(classPathFile).strip().split(File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    assertFalse(urls.stream().anyMatch(u -> u.toString().contains("/software/amazon/awssdk/")
        || u.toString().contains("/hadoop-aws/")), "a Spark distribution has no AWS SDK or hadoop-aws: " + urls);
    return urls;
  }

  @Test
  void everyDocumentedProviderLoadsFromTheShadedJar() throws Exception {
    Set<String> providers = new TreeSet<>();
    Matcher m = PROVIDER.matcher(Files.readString(ProjectFiles.conf("spark-s3a.conf")));
    while (m.find()) {
      providers.add(m.group());
    }
    assertTrue(providers.containsAll(Set.of(
        "org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider",
        "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
        "software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider",
        "org.apache.hadoop.fs.s3a.auth.AssumedRoleCredentialProvider")), providers.toString());

    List<URL> classPath = sparkJarsAnd(shadedJar());
    try (URLClassLoader spark = new URLClassLoader(classPath.toArray(URL[]::new),
        ClassLoader.getPlatformClassLoader())) {
      Class<?> sdkProvider = spark.loadClass("software.amazon.awssdk.auth.credentials.AwsCredentialsProvider");
      assertTrue(sdkProvider.getProtectionDomain().getCodeSource().getLocation().toString().contains("/job-"),
          "the SDK comes from the job jar, not the test class path");
      for (String name : providers) {
        Class<?> provider = Class.forName(name, true, spark);
        assertTrue(sdkProvider.isAssignableFrom(provider), name + " is an SDK v2 credentials provider");
      }
      Class.forName("software.amazon.awssdk.services.sts.StsClient", true, spark);

      // The web identity provider looks STS up by reflection when built and keeps the failure for the first
      // resolveCredentials call (the first read of a run): without the sts module, loadException is set.
      Path token = Files.writeString(dir.resolve("token"), "not-a-real-token");
      Class<?> webIdentity = spark.loadClass(
          "software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider");
      Object builder = webIdentity.getMethod("builder").invoke(null);
      Class<?> builderType = spark.loadClass(
          "software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider$Builder");
      builderType.getMethod("roleArn", String.class).invoke(builder, "arn:aws:iam::123456789012:role/lake-reader");
      builderType.getMethod("webIdentityTokenFile", Path.class).invoke(builder, token);
      // A region, so building the STS client does not ask the instance metadata service for one.
      String region = System.setProperty("aws.region", "us-east-1");
      Object built;
      try {
        built = builderType.getMethod("build").invoke(builder);
      } finally {
        if (region == null) {
          System.clearProperty("aws.region");
        } else {
          System.setProperty("aws.region", region);
        }
      }
      assertEquals(webIdentity, built.getClass());
      Field failure = webIdentity.getDeclaredField("loadException");
      failure.setAccessible(true);
      assertEquals(null, failure.get(built), "STS found");
      Field delegate = webIdentity.getDeclaredField("credentialsProvider");
      delegate.setAccessible(true);
      assertFalse(delegate.get(built) == null, "an STS-backed provider was made");
    }
  }
}
