package io.resnetspark.model.pretrained;

import java.nio.file.Path;

/**
 * Where published weights are looked for and fetched from, as the environment says.
 *
 * @param cacheDir the project's own cache of checkpoints: {@code $RESNET_SPARK_CACHE_DIR/weights}, by default
 *     {@code ~/.cache/resnet-spark/weights} (the scripts keep their downloads in the same cache)
 * @param torchCheckpoints torch.hub's cache, reused when it already has the file:
 *     {@code $TORCH_HOME/hub/checkpoints}, by default {@code ~/.cache/torch/hub/checkpoints}
 * @param baseUrl torchvision's {@code models/} folder, or the mirror {@code RESNET_SPARK_WEIGHTS_URL} names
 */
public record WeightsLocations(Path cacheDir, Path torchCheckpoints, String baseUrl) {
  public static final String CACHE_DIR_VARIABLE = "RESNET_SPARK_CACHE_DIR";
  public static final String MIRROR_VARIABLE = "RESNET_SPARK_WEIGHTS_URL";
  public static final String TORCH_HOME_VARIABLE = "TORCH_HOME";

  public static WeightsLocations from(Environment env) {
    // As scripts/lib/common.sh and torch.hub resolve them: an explicit variable, else XDG_CACHE_HOME, else ~/.cache.
    Path xdgCache = env.variable("XDG_CACHE_HOME") != null ? Path.of(env.variable("XDG_CACHE_HOME"))
        : env.home().resolve(".cache");
    Path cache = env.variable(CACHE_DIR_VARIABLE) != null ? Path.of(env.variable(CACHE_DIR_VARIABLE))
        : xdgCache.resolve("resnet-spark");
    Path torchHome = env.variable(TORCH_HOME_VARIABLE) != null ? Path.of(env.variable(TORCH_HOME_VARIABLE))
        : xdgCache.resolve("torch");
    String mirror = env.variable(MIRROR_VARIABLE);
    return new WeightsLocations(cache.resolve("weights").toAbsolutePath(),
        torchHome.resolve("hub").resolve("checkpoints").toAbsolutePath(),
        mirror != null ? mirror.strip() : TorchvisionWeights.TORCHVISION_BASE_URL);
  }
}
