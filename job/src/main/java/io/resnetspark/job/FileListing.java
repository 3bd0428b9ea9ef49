package io.resnetspark.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.security.AccessControlException;

/**
 * The files a run considers, listed on the driver with Hadoop's file system API. Spark's file sources are not
 * used for this because their scans silently drop zero-length files (a run must report them, as {@code EMPTY})
 * and their listing cache can return a file's old modification time within a session.
 *
 * <p>Each input is a file, a directory or a glob. Directories are searched recursively. Names that start with
 * {@code _} or {@code .} are skipped inside directories and among glob matches (as Spark does: {@code _temporary},
 * {@code .crc}...), not when given as an input. Only files with one of the extensions are kept, wherever found.
 */
public final class FileListing {
  private FileListing() {
  }

  /** One file: its path as Spark's {@code binaryFile} source names it, modification time (ms) and size. */
  public record Entry(String path, long modificationTime, long length) {
  }

  /**
   * The files kept, and how many were passed over for their extension, by lower-case extension ({@code ""} for
   * names without one), most frequent first. Hidden names are neither.
   */
  public record Listing(List<Entry> files, Map<String, Long> excluded) {
  }

  /** As {@link #listing}, the kept files only. */
  public static List<Entry> list(List<String> inputs, List<String> extensions, Configuration hadoopConf) {
    return listing(inputs, extensions, hadoopConf).files();
  }

  /**
   * Lists {@code inputs}; a file reached twice is listed once.
   *
   * @param extensions lower-case extensions to keep; empty keeps every file
   * @throws ConfigException if an input does not exist, its glob matches nothing, or it cannot be listed
   */
  public static Listing listing(List<String> inputs, List<String> extensions, Configuration hadoopConf) {
    Map<String, Entry> files = new LinkedHashMap<>();
    Map<String, Entry> passedOver = new LinkedHashMap<>();
    for (String input : inputs) {
      Path path = new Path(input);
      try {
        FileSystem fs = path.getFileSystem(hadoopConf);
        FileStatus[] matches = fs.globStatus(path);
        if (matches == null || matches.length == 0) {
          throw new ConfigException(isGlob(input)
              ? "input " + input + " matches no file or directory"
              : "input " + input + " does not exist");
        }
        boolean glob = isGlob(input);
        for (FileStatus match : matches) {
          String name = match.getPath().getName();
          if (glob && isHidden(name)) {
            continue;
          }
          if (match.isDirectory()) {
            listDirectory(fs, match.getPath(), extensions, files, passedOver);
          } else {
            add(hasExtension(name, extensions) ? files : passedOver, match);
          }
        }
      } catch (IOException e) {
        throw FileListing.listingError(input, e);
      }
    }
    Map<String, Long> excluded = new HashMap<>();
    for (String path : passedOver.keySet()) {
      excluded.merge(extension(path), 1L, Long::sum);
    }
    Map<String, Long> ordered = new LinkedHashMap<>();
    excluded.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> ordered.put(e.getKey(), e.getValue()));
    return new Listing(new ArrayList<>(files.values()), ordered);
  }

  /** The lower-case extension of a path's file name, without the dot; "" if it has none. */
  static String extension(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static void listDirectory(FileSystem fs, Path root, List<String> extensions, Map<String, Entry> files,
                                    Map<String, Entry> passedOver) throws IOException {
    URI rootUri = root.toUri();
    RemoteIterator<? extends FileStatus> it = filesBelow(fs, root);
    while (it.hasNext()) {
      FileStatus file = it.next();
      URI relative = rootUri.relativize(file.getPath().toUri());
      String below = relative.isAbsolute() || relative.getPath().startsWith("/")
          ? file.getPath().getName() : relative.getPath();
      if (!isHidden(below)) {
        add(hasExtension(file.getPath().getName(), extensions) ? files : passedOver, file);
      }
    }
  }

  /**
   * Every file below {@code root}. Object stores and HDFS list a whole tree fastest with {@code listFiles(recursive)}
   * (S3A as one flat listing). On the local file system that call builds a {@code LocatedFileStatus} per file, which
   * reads the file's permissions, and without Hadoop's native library that forks an {@code ls} per file (measured:
   * 18 s for 3000 files); a walk with {@code listStatusIterator} reads only names, sizes and times.
   */
  static RemoteIterator<? extends FileStatus> filesBelow(FileSystem fs, Path root) throws IOException {
    if (fs instanceof LocalFileSystem) {
      return new LocalWalk(fs, root);
    }
    return fs.listFiles(root, true);
  }

  /** Depth-first walk of a directory tree, files only, one directory listing open at a time per level. */
  private static final class LocalWalk implements RemoteIterator<FileStatus> {
    private final FileSystem fs;
    private final Deque<RemoteIterator<FileStatus>> levels = new ArrayDeque<>();
    private FileStatus next;

    LocalWalk(FileSystem fs, Path root) throws IOException {
      this.fs = fs;
      levels.push(fs.listStatusIterator(root));
    }

    @Override
    public boolean hasNext() throws IOException {
      while (next == null && !levels.isEmpty()) {
        RemoteIterator<FileStatus> level = levels.peek();
        if (!level.hasNext()) {
          levels.pop();
          continue;
        }
        FileStatus status = level.next();
        if (status.isDirectory()) {
          levels.push(fs.listStatusIterator(status.getPath()));
        } else {
          next = status;
        }
      }
      return next != null;
    }

    @Override
    public FileStatus next() throws IOException {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      FileStatus file = next;
      next = null;
      return file;
    }
  }

  private static void add(Map<String, Entry> files, FileStatus status) {
    String path = status.getPath().toString();
    files.putIfAbsent(path, new Entry(path, status.getModificationTime(), status.getLen()));
  }

  /** True if any part of a path below an input directory starts with {@code _} or {@code .}. */
  static boolean isHidden(String relativePath) {
    for (String part : relativePath.split("/")) {
      if (part.startsWith("_") || part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  static boolean hasExtension(String name, List<String> extensions) {
    if (extensions.isEmpty()) {
      return true;
    }
    int dot = name.lastIndexOf('.');
    return dot >= 0 && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static boolean isGlob(String input) {
    return input.matches(".*[*?\\[{].*");
  }


  /** What to tell the user when listing {@code input} failed, as a configuration error found on the driver. */
  static ConfigException listingError(String input, IOException e) {
    if (e instanceof FileNotFoundException) {
      return new ConfigException("input " + input + " changed while it was listed: " + Messages.firstLine(e), e);
    }
    if (e instanceof AccessControlException) {
      return new ConfigException("input " + input + " is not readable: " + StorageErrors.describe(e), e);
    }
    return new ConfigException("cannot list input " + input + ": " + StorageErrors.describe(e), e);
  }
}
