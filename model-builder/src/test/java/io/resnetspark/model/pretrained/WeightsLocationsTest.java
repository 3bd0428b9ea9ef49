package io.resnetspark.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cache, torch's cache and the download folder follow the same variables as the scripts and torch.hub. */
class WeightsLocationsTest {
  static final Path HOME = Path.of("/home/ada");

  static WeightsLocations from(Map<String, String> variables) {
    return WeightsLocations.from(Environment.of(variables, HOME));
  }

  @Test
  void defaultsAreUnderTheHomeCache() {
    WeightsLocations l = from(Map.of());
    assertEquals(Path.of("/home/ada/.cache/resnet-spark/weights"), l.cacheDir());
    assertEquals(Path.of("/home/ada/.cache/torch/hub/checkpoints"), l.torchCheckpoints());
    assertEquals("https://download.pytorch.org/models/", l.baseUrl());
  }

  @Test
  void xdgCacheHomeMovesBothDefaults() {
    WeightsLocations l = from(Map.of("XDG_CACHE_HOME", "/var/cache/ada"));
    assertEquals(Path.of("/var/cache/ada/resnet-spark/weights"), l.cacheDir());
    assertEquals(Path.of("/var/cache/ada/torch/hub/checkpoints"), l.torchCheckpoints());
  }

  @Test
  void explicitVariablesWin() {
    WeightsLocations l = from(Map.of("XDG_CACHE_HOME", "/var/cache/ada", "RESNET_SPARK_CACHE_DIR", "/data/cache",
        "TORCH_HOME", "/opt/torch", "RESNET_SPARK_WEIGHTS_URL", " http://mirror.internal/torchvision/models/ "));
    assertEquals(Path.of("/data/cache/weights"), l.cacheDir());
    assertEquals(Path.of("/opt/torch/hub/checkpoints"), l.torchCheckpoints());
    assertEquals("http://mirror.internal/torchvision/models/", l.baseUrl());
  }

  @Test
  void anEmptyVariableCountsAsUnset() {
    assertEquals("https://download.pytorch.org/models/", from(Map.of("RESNET_SPARK_WEIGHTS_URL", "")).baseUrl());
    assertEquals(Path.of("/home/ada/.cache/resnet-spark/weights"),
        from(Map.of("RESNET_SPARK_CACHE_DIR", " ")).cacheDir());
  }
}
