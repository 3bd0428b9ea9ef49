package io.resnetspark.job.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code flaky:}, whose reads of the file names in {@link #UNREADABLE} fail
 * with an I/O error while listing them works: a read failure that passes, on demand. Register it with
 * {@code spark.hadoop.fs.flaky.impl}; executors must share the JVM (local mode).
 */
public final class FlakyFileSystem extends LocalFileSystem {
  public static final String SCHEME = "flaky";
  public static final String IMPL_KEY = "spark.hadoop.fs." + SCHEME + ".impl";
  /** File names (not paths) whose reads fail. */
  public static final Set<String> UNREADABLE = ConcurrentHashMap.newKeySet();

  public FlakyFileSystem() {
    super(new Raw());
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  /** {@code path} (a local path) as a {@code flaky:} URI string. */
  public static String uri(java.nio.file.Path path) {
    return SCHEME + "://" + path.toAbsolutePath();
  }

  private static final class Raw extends RawLocalFileSystem {
    @Override
    public URI getUri() {
      return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
      return SCHEME;
    }

    @Override
    public File pathToFile(Path path) {
      checkPath(path);
      if (!path.isAbsolute()) {
        path = new Path(getWorkingDirectory(), path);
      }
      return new File(path.toUri().getPath());
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
      if (UNREADABLE.contains(f.getName())) {
        throw new IOException("injected read failure: " + f);
      }
      return super.open(f, bufferSize);
    }
  }
}
