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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credential providers conf/spark-s3a.conf documents resolve from the shaded job jar on a class path of Spark's
 * own jars: the test's class path without the project's classes and without what the jar must bring itself (the
 * AWS SDK, hadoop-aws, spark-hadoop-cloud). No network call: the classes load, and the web identity provider, which
 * finds STS by reflection, can be built.
 */
class S3ACredentialProvidersIT {
  static final Pattern PROVIDER =
      Pattern.compile("\\b(?:org\\.apache\\.hadoop\\.fs\\.s3a|software\\.amazon\\.awssdk)\\.[A-Za-z0-9_.]*Provider\\b");

  @TempDir
  Path dir;

  static Path shadedJar() throws Exception {
    try (Stream<Path> jars = Files.list(ProjectFiles.root().resolve("job/target"))) {
      return jars.filter(p -> p.getFileName().toString().matches("job-[^-].*\\.jar"))
          .filter(p -> !p.getFileName().toString().contains("sources")).findFirst()
          .orElseThrow(() -> new AssertionError("no shaded job jar in job/target: run mvn package first"));
    }
  }

  /** Spark's jars as this build knows them, minus what the job jar must bring. */
  static List<URL> sparkJarsAnd(Path jar) throws Exception {
    List<URL> urls = new ArrayList<>(List.of(jar.toUri().toURL()));
    String root = ProjectFiles.root().toString();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String unix = entry.replace(File.separatorChar, '/');
      boolean brought = unix.contains("/software/amazon/awssdk/") || unix.contains("/hadoop-aws/")
          || unix.contains("/spark-hadoop-cloud") || unix.contains("/tensorflow") || unix.contains("/picocli/");
      if (entry.endsWith(".jar") && !entry.startsWith(root) && !brought) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
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
