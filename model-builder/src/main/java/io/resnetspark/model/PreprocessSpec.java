package io.resnetspark.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.resnetspark.model.contract.SavedModelContract;
import java.util.Arrays;
import java.util.Locale;

/**
 * How an image becomes the {@code images} input, written once into {@code assets/model.json} by the builder and
 * read back by the executors, so the two can never disagree: resize the shorter side to {@code resizeSize} with
 * antialiased bilinear interpolation (as torchvision/PIL), centre-crop {@code cropSize}, scale to [0,1], subtract
 * {@code mean} and divide by {@code std} per channel, RGB order, NHWC layout.
 */
public record PreprocessSpec(
    @JsonProperty("preset") String preset,
    @JsonProperty("resize_size") int resizeSize,
    @JsonProperty("crop_size") int cropSize,
    @JsonProperty("interpolation") String interpolation,
    @JsonProperty("antialias") boolean antialias,
    @JsonProperty("mean") float[] mean,
    @JsonProperty("std") float[] std,
    @JsonProperty("channel_order") String channelOrder,
    @JsonProperty("layout") String layout) {

  private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  /** torchvision's published weight presets; each names the transform its weights were evaluated with. */
  public enum Preset {
    /** {@code ResNet50_Weights.IMAGENET1K_V1} and all V1 weights: resize 256, crop 224. */
    IMAGENET1K_V1(256, 224),
    /** {@code ResNet50_Weights.IMAGENET1K_V2} and the other V2 recipes: resize 232, crop 224. */
    IMAGENET1K_V2(232, 224);

    final int resize;
    final int crop;

    Preset(int resize, int crop) {
      this.resize = resize;
      this.crop = crop;
    }

    public PreprocessSpec spec() {
      return new PreprocessSpec(name(), resize, crop, "bilinear", true, IMAGENET_MEAN.clone(), IMAGENET_STD.clone(),
          "RGB", "NHWC");
    }

    public static Preset fromName(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown preset '" + name + "'; choose one of " + Arrays.toString(values()));
      }
    }
  }

  public PreprocessSpec {
    if (resizeSize < cropSize || cropSize < SavedModelContract.MIN_INPUT_SIZE) {
      throw new IllegalArgumentException("preprocessing needs resize_size >= crop_size >= "
          + SavedModelContract.MIN_INPUT_SIZE + ", got " + resizeSize + " and " + cropSize);
    }
    if (mean == null || std == null || mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("preprocessing needs three mean and three std values");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("preprocessing std values must be positive, got " + Arrays.toString(std));
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreprocessSpec p && resizeSize == p.resizeSize && cropSize == p.cropSize
        && antialias == p.antialias && interpolation.equals(p.interpolation) && Arrays.equals(mean, p.mean)
        && Arrays.equals(std, p.std) && channelOrder.equals(p.channelOrder) && layout.equals(p.layout);
  }

  @Override
  public int hashCode() {
    return (resizeSize * 31 + cropSize) * 31 + Arrays.hashCode(mean);
  }
}
