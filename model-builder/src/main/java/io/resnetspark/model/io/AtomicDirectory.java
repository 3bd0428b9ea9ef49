package io.resnetspark.model.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Publishes a directory only when it is complete: its contents are written to a hidden sibling, which is then
 * renamed into place (an old directory is moved aside first and removed after). Readers see either nothing, the old
 * directory or the whole new one, and a failed write leaves nothing behind.
 */
public final class AtomicDirectory {
  private AtomicDirectory() {
  }

  /** What goes into the directory, written into the staging directory it is given. */
  @FunctionalInterface
  public interface Contents<T> {
    T writeTo(Path staging) throws IOException;
  }

  /**
   * Refuses {@code target} if it exists and {@code overwrite} is false, before any work is done.
   *
   * @throws FileAlreadyExistsException whose reason names {@code --overwrite}
   */
  public static void refuseExisting(Path target, boolean overwrite) throws FileAlreadyExistsException {
    if (Files.exists(target) && !overwrite) {
      throw new FileAlreadyExistsException(target.toString(), null, "already exists; pass --overwrite to replace it");
    }
  }

  /**
   * Writes {@code contents} into a hidden sibling of {@code target} and renames it to {@code target}.
   *
   * @return what {@code contents} returned
   * @throws FileAlreadyExistsException if {@code target} exists and {@code overwrite} is false
   */
  public static <T> T publish(Path target, boolean overwrite, Contents<T> contents) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    refuseExisting(absolute, overwrite);
    Files.createDirectories(absolute.getParent());
    Path staging = sibling(absolute, "tmp");
    try {
      T result = contents.writeTo(staging);
      moveIntoPlace(staging, absolute);
      return result;
    } finally {
      Directories.deleteRecursively(staging);
    }
  }

  /** Renames the finished directory over {@code target}; an old one is moved aside first and removed after. */
  private static void moveIntoPlace(Path staging, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = sibling(target, "old");
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      Directories.deleteRecursively(old);
    }
  }

  private static Path sibling(Path target, String purpose) {
    return target.resolveSibling("." + target.getFileName() + "." + purpose + "-" + UUID.randomUUID());
  }
}
