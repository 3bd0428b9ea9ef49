package io.resnetspark.model.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing directory trees on the local file system: the one copy every module uses. */
public final class Directories {
  private Directories() {
  }

  /**
   * Deletes {@code dir} and everything under it, deepest first; nothing happens if it does not exist. Symbolic links
   * are removed, never followed.
   */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * As {@link #deleteRecursively}, for clean-up whose failure must not change an outcome: what cannot be deleted is
   * left behind and reported as false. A null {@code dir} is nothing to delete.
   */
  public static boolean deleteQuietly(Path dir) {
    if (dir == null) {
      return true;
    }
    try {
      deleteRecursively(dir);
      return true;
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }
}
