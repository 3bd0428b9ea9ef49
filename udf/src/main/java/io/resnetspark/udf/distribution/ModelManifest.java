package io.resnetspark.udf.distribution;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * The files of a packed SavedModel directory in package order: the package is their contents concatenated in this
 * order, cut into chunks. Paths are relative, '/'-separated and never leave the directory.
 */
public record ModelManifest(List<FileEntry> files) implements Serializable {

  /** One file: its path relative to the model directory and its size in bytes. */
  public record FileEntry(String path, long size) implements Serializable {
    public FileEntry {
      requireSafe(path);
      if (size < 0) {
        throw new IllegalArgumentException("negative size for " + path);
      }
    }
  }

  public ModelManifest {
    files = List.copyOf(files);
  }

  public long totalBytes() {
    long total = 0;
    for (FileEntry f : files) {
      total += f.size();
    }
    return total;
  }

  /** Where {@code entry} goes under {@code dir}; a path that would escape {@code dir} is refused. */
  public static Path resolve(Path dir, FileEntry entry) {
    Path base = dir.toAbsolutePath().normalize();
    Path target = base.resolve(entry.path()).normalize();
    if (!target.startsWith(base) || target.equals(base)) {
      throw new IllegalArgumentException("model file path '" + entry.path() + "' leaves the model directory");
    }
    return target;
  }

  private static void requireSafe(String path) {
    if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\")) {
      throw new IllegalArgumentException("model file path must be relative and '/'-separated, got '" + path + "'");
    }
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("model file path '" + path + "' has an empty, '.' or '..' segment");
      }
    }
  }
}
