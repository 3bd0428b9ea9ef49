package io.resnetspark.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of resnet-spark this code was built as, taken from the Maven project version when the build filters
 * {@code resnet-spark-version.properties}. Every module (the builder's {@code model.json}, both command lines)
 * reports this one value.
 */
public final class BuildInfo {
  private static final String RESOURCE = "resnet-spark-version.properties";
  public static final String VERSION = readVersion();

  private BuildInfo() {
  }

  private static String readVersion() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath; build with Maven");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String version = properties.getProperty("version", "");
    if (version.isBlank() || version.contains("${")) {
      throw new IllegalStateException(RESOURCE + " holds no filtered version ('" + version + "'); build with Maven");
    }
    return version;
  }
}
