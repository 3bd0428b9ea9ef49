package io.resnetspark.udf.distribution;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a model's content: for each file in manifest order, its path (UTF-8), a zero byte, its size (8 bytes,
 * big-endian) and its bytes. It depends on names and contents only, so the driver computes it while packing and an
 * executor recomputes it from the unpacked files; equal digests mean equal models, whatever path they came from.
 */
public final class ModelDigest {
  private static final int BUFFER = 1 << 16;
  private final MessageDigest sha256;

  public ModelDigest() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Starts the next file; its {@code size} bytes follow through {@link #update}. */
  public void beginFile(String path, long size) {
    sha256.update(path.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) 0);
    for (int shift = 56; shift >= 0; shift -= 8) {
      sha256.update((byte) (size >>> shift));
    }
  }

  public void update(byte[] bytes, int offset, int length) {
    sha256.update(bytes, offset, length);
  }

  /** The digest as lower-case hex; the object cannot be used afterwards. */
  public String finish() {
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** The digest of the files {@code manifest} names, read from {@code dir}. */
  public static String of(Path dir, ModelManifest manifest) throws IOException {
    ModelDigest digest = new ModelDigest();
    byte[] buffer = new byte[BUFFER];
    for (ModelManifest.FileEntry entry : manifest.files()) {
      Path file = ModelManifest.resolve(dir, entry);
      digest.beginFile(entry.path(), Files.size(file));
      try (InputStream in = Files.newInputStream(file)) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          digest.update(buffer, 0, n);
        }
      }
    }
    return digest.finish();
  }
}
