package io.resnetspark.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
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
   * Lists {@code inputs}; a file reached twice is listed once.
   *
   * @param extensions lower-case extensions to keep; empty keeps every file
   * @throws ConfigException if an input does not exist, its glob matches nothing, or it cannot be listed
   */
  public static List<Entry> list(List<String> inputs, List<String> extensions, Configuration hadoopConf) {
    Map<String, Entry> files = new LinkedHashMap<>();
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
            listDirectory(fs, match.getPath(), extensions, files);
          } else if (hasExtension(name, extensions)) {
            add(files, match);
          }
        }
      } catch (FileNotFoundException e) {
        throw new ConfigException("input " + input + " changed while it was listed: " + firstLine(e), e);
      } catch (AccessControlException e) {
        throw new ConfigException("input " + input + " is not readable: " + firstLine(e), e);
      } catch (IOException e) {
        throw new ConfigException("cannot list input " + input + ": " + firstLine(e), e);
      }
    }
    return new ArrayList<>(files.values());
  }

  private static void listDirectory(FileSystem fs, Path root, List<String> extensions, Map<String, Entry> files)
      throws IOException {
    URI rootUri = root.toUri();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
    while (it.hasNext()) {
      LocatedFileStatus file = it.next();
      URI relative = rootUri.relativize(file.getPath().toUri());
      String below = relative.isAbsolute() || relative.getPath().startsWith("/")
          ? file.getPath().getName() : relative.getPath();
      if (!isHidden(below) && hasExtension(file.getPath().getName(), extensions)) {
        add(files, file);
      }
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

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
