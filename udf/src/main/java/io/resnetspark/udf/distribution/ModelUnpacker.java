package io.resnetspark.udf.distribution;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Executor side of model distribution: writes the files of a package back from its chunks and then checks the
 * {@link ModelDigest} of what landed on disk, so a damaged chunk, a short read or a corrupted local disk is caught
 * before the model is used.
 */
public final class ModelUnpacker {
  private ModelUnpacker() {
  }

  /** The digest of an unpacked model did not match the one computed on the driver. */
  public static final class DigestMismatchException extends IOException {
    DigestMismatchException(String message) {
      super(message);
    }
  }

  /**
   * Unpacks into {@code target} (created; must not exist yet) and verifies the result against {@code sha256}.
   *
   * @param chunks the package bytes in order; their lengths need not match file boundaries
   * @throws DigestMismatchException if the unpacked files do not have the expected digest
   * @throws IOException if the chunks hold fewer or more bytes than the manifest says, or writing fails
   */
  public static void unpack(ModelManifest manifest, Iterator<byte[]> chunks, Path target, String sha256,
                            String source) throws IOException {
    Files.createDirectories(target.getParent());
    Files.createDirectory(target);
    byte[] chunk = new byte[0];
    int offset = 0;
    for (ModelManifest.FileEntry entry : manifest.files()) {
      Path file = ModelManifest.resolve(target, entry);
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        long remaining = entry.size();
        while (remaining > 0) {
          if (offset == chunk.length) {
            if (!chunks.hasNext()) {
              throw new IOException("model package from " + source + " ended " + remaining + " bytes before the end "
                  + "of " + entry.path());
            }
            chunk = chunks.next();
            offset = 0;
          }
          int n = (int) Math.min(remaining, chunk.length - offset);
          out.write(chunk, offset, n);
          offset += n;
          remaining -= n;
        }
      }
    }
    if (offset != chunk.length || chunks.hasNext()) {
      throw new IOException("model package from " + source + " holds more bytes than its manifest lists");
    }
    String actual = ModelDigest.of(target, manifest);
    if (!actual.equals(sha256)) {
      throw new DigestMismatchException("model from " + source + " failed its SHA-256 check after unpacking to "
          + target + ": expected " + sha256 + ", got " + actual + "; the model was damaged in transit or on local disk");
    }
  }
}
