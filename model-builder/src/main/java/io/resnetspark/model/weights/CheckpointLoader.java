package io.resnetspark.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a weights file of either supported format, chosen by its content rather than its extension (hub downloads
 * and renamed files often carry the wrong one), and brings its keys to torchvision's names: the {@code module.}
 * prefix that {@code nn.DataParallel} adds is stripped and the {@code num_batches_tracked} counters are dropped.
 * A training checkpoint that wraps the weights in a {@code state_dict} or {@code model} entry is unwrapped by
 * {@link TorchCheckpointReader}, which must know the kept tensors before it reads any storage.
 */
public final class CheckpointLoader {

  public static final String SAFETENSORS = "safetensors";
  public static final String PYTORCH_ZIP = "pytorch-zip";

  private static final String DATA_PARALLEL_PREFIX = "module.";

  private CheckpointLoader() {
  }

  /**
   * Loads and normalises a checkpoint and computes its SHA-256.
   *
   * @throws CheckpointException if the file is missing, of an unknown or refused format, damaged, or holds no
   *     tensors
   */
  public static LoadedCheckpoint load(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException("weights file " + file + " does not exist or is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new CheckpointException("weights file " + file + " is not readable");
    }
    byte[] head = TorchCheckpointReader.readHead(file, 16);
    StateDict raw;
    String format;
    if (TorchCheckpointReader.isZip(head) || TorchCheckpointReader.isPickle(head)) {
      raw = TorchCheckpointReader.read(file);
      format = PYTORCH_ZIP;
    } else if (SafetensorsReader.looksLikeSafetensors(head)) {
      raw = SafetensorsReader.read(file);
      format = SAFETENSORS;
    } else {
      throw new CheckpointException(name + " is neither a PyTorch checkpoint (a torch.save zip, usually .pth or .pt) "
          + "nor a .safetensors file");
    }
    return new LoadedCheckpoint(normalise(raw, name), format, sha256(file), name);
  }

  /** Drops BatchNorm counters, then strips {@code module.} if every key has it (a DataParallel checkpoint). */
  static StateDict normalise(StateDict raw, String name) throws CheckpointException {
    Map<String, TensorData> kept = new LinkedHashMap<>();
    raw.asMap().forEach((key, tensor) -> {
      if (!ElementType.isCounter(key)) {
        kept.put(key, tensor);
      }
    });
    if (kept.isEmpty()) {
      throw new CheckpointException(name + " holds no weight tensors");
    }
    if (!kept.keySet().stream().allMatch(k -> k.startsWith(DATA_PARALLEL_PREFIX))) {
      return new StateDict(kept);
    }
    Map<String, TensorData> stripped = new LinkedHashMap<>();
    kept.forEach((key, tensor) -> stripped.put(key.substring(DATA_PARALLEL_PREFIX.length()), tensor));
    return new StateDict(stripped);
  }

  public static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
