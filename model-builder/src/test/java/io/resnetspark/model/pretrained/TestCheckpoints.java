package io.resnetspark.model.pretrained;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.weights.FormulaWeights;
import io.resnetspark.model.weights.TorchZipTestWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A ResNet-18 checkpoint in torch.save's zip format (formula weights, 10 classes), made once per test JVM, and the
 * torchvision-style name that carries the first hex digits of its SHA-256.
 */
public final class TestCheckpoints {
  private static byte[] resnet18;

  private TestCheckpoints() {
  }

  public static synchronized byte[] resnet18() {
    if (resnet18 == null) {
      try {
        Path file = Files.createTempFile("resnet18-", ".pth");
        try {
          TorchZipTestWriter.write(FormulaWeights.create(Architecture.RESNET18, 10), file);
          resnet18 = Files.readAllBytes(file);
        } finally {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return resnet18;
  }

  /** {@code resnet18-<first 8 hex digits of the SHA-256>.pth}, as torchvision names its files. */
  public static String torchvisionName(byte[] content) {
    return "resnet18-" + sha256(content).substring(0, 8) + ".pth";
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
