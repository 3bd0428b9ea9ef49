package io.resnetspark.udf.image;

import java.util.Arrays;
import java.util.Locale;

/**
 * How JPEGs are decoded before the resize. Recorded with every result, so that a table never mixes the two
 * silently.
 */
public enum DecodeMode {
  /** Full-resolution decode: the tensor equals torchvision's bit for bit (the default). */
  EXACT,
  /**
   * JPEG DCT-domain downscaling (libjpeg's {@code scale_denom} 2, 4 or 8, as PIL's {@code Image.draft}) to the
   * smallest scale whose shorter side still covers the resize target, then the same resize and crop in the full
   * image's geometry: five to seven times faster on camera-sized photos, close to but not equal to torchvision's
   * tensor. Other formats, four-channel JPEGs and JPEGs whose half would not cover the resize decode as in
   * {@link #EXACT}.
   */
  REDUCED;

  /** The lower-case name used by the job's option and the Spark Param. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException naming the accepted values */
  public static DecodeMode of(String id) {
    for (DecodeMode m : values()) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    throw new IllegalArgumentException("decode mode must be one of " + ids() + ", got '" + id + "'");
  }

  public static String[] idArray() {
    return Arrays.stream(values()).map(DecodeMode::id).toArray(String[]::new);
  }

  private static String ids() {
    return String.join(", ", idArray());
  }
}
