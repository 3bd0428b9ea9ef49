package io.resnetspark.model.pretrained;

import io.resnetspark.model.weights.CheckpointLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Published checkpoints on this machine: each is taken from the project's cache, else from torch.hub's cache, else
 * downloaded once into the project's cache. Every file is checked against the SHA-256 prefix its name carries
 * before it is used, wherever it comes from; a download goes to a temporary file that is renamed only once it is
 * complete and verified, so an interrupted or tampered transfer never leaves a file that looks like a checkpoint.
 */
public final class WeightsCache {
  private final WeightsLocations locations;
  private final DownloadProgress progress;
  private final CheckpointDownload download;

  public WeightsCache(WeightsLocations locations, DownloadProgress progress) {
    this(locations, progress, CheckpointDownload.CONNECT_TIMEOUT, CheckpointDownload.READ_TIMEOUT);
  }

  WeightsCache(WeightsLocations locations, DownloadProgress progress, Duration connectTimeout,
               Duration readTimeout) {
    this.locations = locations;
    this.progress = progress;
    this.download = new CheckpointDownload(connectTimeout, readTimeout);
  }

  public WeightsLocations locations() {
    return locations;
  }

  /** The verified checkpoint of {@code weights}. */
  public Path checkpoint(TorchvisionWeights weights) throws IOException {
    return checkpoint(weights.fileName());
  }

  /**
   * The verified file named {@code fileName} (torchvision's {@code <model>-<sha256 prefix>.pth}).
   *
   * @throws WeightsFetchException if it is nowhere to be had, or a copy is not what its name says
   */
  public Path checkpoint(String fileName) throws IOException {
    String expected = TorchvisionWeights.digestPrefix(fileName);
    Path cached = locations.cacheDir().resolve(fileName);
    if (Files.isRegularFile(cached)) {
      String actual = CheckpointLoader.sha256(cached);
      if (!actual.startsWith(expected)) {
        Files.deleteIfExists(cached);
        throw mismatch(cached.toString(), actual, expected, "deleted; the next run downloads it again");
      }
      return cached;
    }
    Path torchCopy = locations.torchCheckpoints().resolve(fileName);
    if (Files.isRegularFile(torchCopy)) {
      String actual = CheckpointLoader.sha256(torchCopy);
      if (!actual.startsWith(expected)) {
        throw mismatch(torchCopy.toString(), actual, expected, "not used; remove it to download a good copy");
      }
      return torchCopy;
    }
    return downloadInto(cached, expected);
  }

  private Path downloadInto(Path cached, String expected) throws IOException {
    String url = TorchvisionWeights.url(locations.baseUrl(), cached.getFileName().toString());
    Files.createDirectories(cached.getParent());
    Path part = Files.createTempFile(cached.getParent(), cached.getFileName() + ".", ".part");
    try {
      CheckpointDownload.Fetched fetched;
      try {
        fetched = download.fetch(URI.create(url), part, cached, progress);
      } catch (CheckpointDownload.Failure e) {
        throw new WeightsFetchException("cannot download " + url + " (" + e.getMessage() + "); put the file at "
            + cached + " by hand, or set " + WeightsLocations.MIRROR_VARIABLE + " to the URL of a mirror of "
            + "torchvision's models/ folder");
      }
      if (!fetched.sha256().startsWith(expected)) {
        throw mismatch(url, fetched.sha256(), expected, "nothing kept");
      }
      Files.move(part, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return cached;
    } finally {
      Files.deleteIfExists(part);
    }
  }

  private static WeightsFetchException mismatch(String what, String actual, String expected, String outcome) {
    return new WeightsFetchException(what + " has SHA-256 " + actual + " but its name says it begins with "
        + expected + ": refused, " + outcome);
  }
}
