package io.resnetspark.job;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes the run report into the output directory through Hadoop's file system API, so it lands next to the table
 * on {@code file:}, {@code hdfs:} and {@code s3a:} alike. The names start with {@code _}, which Spark and other
 * readers of the table skip.
 */
public final class ReportFiles {
  public static final String JSON = "_run_report.json";
  public static final String PNG = "_run_report.png";

  private ReportFiles() {
  }

  /** Writes both files, replacing the previous run's, and returns where the JSON went. */
  public static Path write(RunReport report, String outputLocation, Configuration hadoopConf) throws IOException {
    Path dir = new Path(outputLocation);
    FileSystem fs = dir.getFileSystem(hadoopConf);
    Path json = new Path(dir, JSON);
    write(fs, json, report.toJson().getBytes(StandardCharsets.UTF_8));
    write(fs, new Path(dir, PNG), ReportChart.png(report));
    return fs.makeQualified(json);
  }

  private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(bytes);
    }
  }
}
