package io.resnetspark.model.pretrained;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.PreprocessSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The weights torchvision publishes for each architecture of {@link Architecture}, as its {@code *_Weights} enums
 * list them: the checkpoint's file name under torchvision's {@code models/} folder and the resize and crop of the
 * transform its accuracy was measured with. {@code DEFAULT} is torchvision's {@code *_Weights.DEFAULT}.
 * {@code TorchvisionWeightsTest} compares every row with {@code scripts/make_weights_reference.py}'s reading of
 * torchvision itself.
 */
public enum TorchvisionWeights {
  RESNET18_IMAGENET1K_V1(Architecture.RESNET18, "IMAGENET1K_V1", "resnet18-f37072fd.pth", 256, 224, true),
  RESNET34_IMAGENET1K_V1(Architecture.RESNET34, "IMAGENET1K_V1", "resnet34-b627a593.pth", 256, 224, true),
  RESNET50_IMAGENET1K_V1(Architecture.RESNET50, "IMAGENET1K_V1", "resnet50-0676ba61.pth", 256, 224, false),
  RESNET50_IMAGENET1K_V2(Architecture.RESNET50, "IMAGENET1K_V2", "resnet50-11ad3fa6.pth", 232, 224, true),
  RESNET101_IMAGENET1K_V1(Architecture.RESNET101, "IMAGENET1K_V1", "resnet101-63fe2227.pth", 256, 224, false),
  RESNET101_IMAGENET1K_V2(Architecture.RESNET101, "IMAGENET1K_V2", "resnet101-cd907fc2.pth", 232, 224, true),
  RESNET152_IMAGENET1K_V1(Architecture.RESNET152, "IMAGENET1K_V1", "resnet152-394f9c45.pth", 256, 224, false),
  RESNET152_IMAGENET1K_V2(Architecture.RESNET152, "IMAGENET1K_V2", "resnet152-f82ba261.pth", 232, 224, true),
  RESNEXT50_32X4D_IMAGENET1K_V1(Architecture.RESNEXT50_32X4D, "IMAGENET1K_V1", "resnext50_32x4d-7cdf4587.pth", 256,
      224, false),
  RESNEXT50_32X4D_IMAGENET1K_V2(Architecture.RESNEXT50_32X4D, "IMAGENET1K_V2", "resnext50_32x4d-1a0047aa.pth", 232,
      224, true),
  RESNEXT101_32X8D_IMAGENET1K_V1(Architecture.RESNEXT101_32X8D, "IMAGENET1K_V1", "resnext101_32x8d-8ba56ff5.pth",
      256, 224, false),
  RESNEXT101_32X8D_IMAGENET1K_V2(Architecture.RESNEXT101_32X8D, "IMAGENET1K_V2", "resnext101_32x8d-110c445d.pth",
      232, 224, true),
  RESNEXT101_64X4D_IMAGENET1K_V1(Architecture.RESNEXT101_64X4D, "IMAGENET1K_V1", "resnext101_64x4d-173b62eb.pth",
      232, 224, true),
  WIDE_RESNET50_2_IMAGENET1K_V1(Architecture.WIDE_RESNET50_2, "IMAGENET1K_V1", "wide_resnet50_2-95faca4d.pth", 256,
      224, false),
  WIDE_RESNET50_2_IMAGENET1K_V2(Architecture.WIDE_RESNET50_2, "IMAGENET1K_V2", "wide_resnet50_2-9ba9bcbe.pth", 232,
      224, true),
  WIDE_RESNET101_2_IMAGENET1K_V1(Architecture.WIDE_RESNET101_2, "IMAGENET1K_V1", "wide_resnet101_2-32ee1156.pth",
      256, 224, false),
  WIDE_RESNET101_2_IMAGENET1K_V2(Architecture.WIDE_RESNET101_2, "IMAGENET1K_V2", "wide_resnet101_2-d733dc28.pth",
      232, 224, true);

  /** torchvision's host for the files; {@code RESNET_SPARK_WEIGHTS_URL} replaces it with a mirror. */
  public static final String TORCHVISION_BASE_URL = "https://download.pytorch.org/models/";
  /** torchvision's alias for the recommended weights of an architecture. */
  public static final String DEFAULT = "DEFAULT";

  // torchvision names a checkpoint <model>-<first hex digits of its SHA-256>.pth (torch.hub's check_hash).
  private static final Pattern DIGEST_IN_NAME = Pattern.compile("-([0-9a-f]{8,64})\\.[A-Za-z]+$");

  private final Architecture architecture;
  private final String weightsName;
  private final String fileName;
  private final int resizeSize;
  private final int cropSize;
  private final boolean isDefault;

  TorchvisionWeights(Architecture architecture, String weightsName, String fileName, int resizeSize, int cropSize,
                     boolean isDefault) {
    this.architecture = architecture;
    this.weightsName = weightsName;
    this.fileName = fileName;
    this.resizeSize = resizeSize;
    this.cropSize = cropSize;
    this.isDefault = isDefault;
  }

  public Architecture architecture() {
    return architecture;
  }

  /** torchvision's member name, e.g. {@code IMAGENET1K_V2}. */
  public String weightsName() {
    return weightsName;
  }

  /** The checkpoint's file name under torchvision's {@code models/} folder (and in every cache). */
  public String fileName() {
    return fileName;
  }

  public int resizeSize() {
    return resizeSize;
  }

  public int cropSize() {
    return cropSize;
  }

  /** Whether torchvision's {@code DEFAULT} names these weights. */
  public boolean isDefault() {
    return isDefault;
  }

  /** The first hex digits of the file's SHA-256, as its name carries them. */
  public String digestPrefix() {
    return digestPrefix(fileName);
  }

  /** The file's address under {@code baseUrl}, a folder laid out like torchvision's {@code models/}. */
  public String url(String baseUrl) {
    return url(baseUrl, fileName);
  }

  /** {@code fileName}'s address in a folder laid out like torchvision's {@code models/}. */
  public static String url(String baseUrl, String fileName) {
    return baseUrl.endsWith("/") ? baseUrl + fileName : baseUrl + "/" + fileName;
  }

  /**
   * The preprocessing preset whose transform these weights were evaluated with (each of torchvision's ResNet
   * weights uses one of the two: resize 256 for the original recipe, 232 for the newer one).
   */
  public PreprocessSpec.Preset preset() {
    return Arrays.stream(PreprocessSpec.Preset.values())
        .filter(p -> p.spec().resizeSize() == resizeSize && p.spec().cropSize() == cropSize)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no preset resizes to " + resizeSize + " and crops "
            + cropSize));
  }

  /** The first hex digits of the SHA-256 that a torchvision-style file name carries. */
  public static String digestPrefix(String fileName) {
    Matcher m = DIGEST_IN_NAME.matcher(fileName);
    if (!m.find()) {
      throw new IllegalArgumentException(fileName + " carries no digest (torchvision names files "
          + "<model>-<sha256 prefix>.pth)");
    }
    return m.group(1);
  }

  /** The weights that {@code name} (a member name or {@code DEFAULT}, any case) means for {@code arch}. */
  public static TorchvisionWeights of(Architecture arch, String name) {
    String wanted = name.strip().toUpperCase(Locale.ROOT);
    return forArchitecture(arch).stream()
        .filter(w -> wanted.equals(DEFAULT) ? w.isDefault : w.weightsName.equals(wanted))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("torchvision publishes no " + name + " weights for "
            + arch.id() + "; it has " + namesFor(arch)));
  }

  public static List<TorchvisionWeights> forArchitecture(Architecture arch) {
    return Arrays.stream(values()).filter(w -> w.architecture == arch).toList();
  }

  /** The names {@code --weights} accepts for {@code arch}, for messages. */
  public static String namesFor(Architecture arch) {
    return forArchitecture(arch).stream().map(TorchvisionWeights::weightsName)
        .collect(Collectors.joining(", ")) + " and " + DEFAULT;
  }
}
