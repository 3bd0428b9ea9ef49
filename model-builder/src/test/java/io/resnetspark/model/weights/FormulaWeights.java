package io.resnetspark.model.weights;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.ParameterSpec;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights and input images from a formula that {@code scripts/make_reference_logits.py} evaluates identically in
 * numpy, so the torchvision logits of these weights can be committed instead of the weights (see the script's
 * docstring for the formula). Every step is integer arithmetic or a single correctly rounded IEEE operation in the
 * same order on both sides, so the float32 values agree bit for bit; {@code FormulaWeightsTest} checks samples the
 * script recorded.
 */
public final class FormulaWeights {

  /** The {@code formula_version} of the reference files these values match. */
  public static final int VERSION = 1;

  private static final long MASK32 = 0xFFFF_FFFFL;
  private static final double TWO_POW_32 = 4294967296.0;

  private FormulaWeights() {
  }

  /** A full state_dict (no num_batches_tracked) for {@code arch}, in {@link Architecture#parameters} order. */
  public static StateDict create(Architecture arch, int numClasses) {
    List<ParameterSpec> specs = arch.parameters(numClasses);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (int k = 0; k < specs.size(); k++) {
      ParameterSpec p = specs.get(k);
      tensors.put(p.name(), new TensorData(p.shape(), values(p, k)));
    }
    return new StateDict(tensors);
  }

  /** The values of the {@code k}-th state_dict entry, row-major in PyTorch's layout. */
  static float[] values(ParameterSpec p, int k) {
    float[] v = new float[Math.toIntExact(p.elementCount())];
    long[] s = p.shape();
    long addend = (k * 40503L + 12345L) & MASK32;
    // Scales are computed once, exactly as the script does: (u * 3.0) * sqrt(...) evaluates left to right.
    double convScale = s.length == 4 ? Math.sqrt(2.0 / (s[1] * s[2] * s[3])) : 0;
    double fcScale = p.kind() == ParameterSpec.Kind.FC_WEIGHT ? Math.sqrt(1.0 / s[1]) : 0;
    for (int i = 0; i < v.length; i++) {
      double u = hashedUniform(i, 2654435761L, addend);
      double x = switch (p.kind()) {
        case CONV_WEIGHT -> u * 3.0 * convScale;
        case BN_WEIGHT -> 0.75 + u;
        case BN_BIAS, BN_RUNNING_MEAN -> u;
        case BN_RUNNING_VAR -> 0.5 + Math.abs(u) * 2.0;
        case FC_WEIGHT -> u * 2.0 * fcScale;
        case FC_BIAS -> u * 0.1;
      };
      v[i] = (float) x;
    }
    return v;
  }

  /**
   * The fixed input batch as NHWC float32 (the SavedModel's layout). The formula indexes pixels in NCHW order, as
   * the script's torch tensor does.
   */
  public static FloatBuffer inputNhwc(int batch, int height, int width) {
    FloatBuffer out = FloatBuffer.allocate(batch * height * width * 3);
    for (int n = 0; n < batch; n++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < height; y++) {
          for (int x = 0; x < width; x++) {
            long j = (((long) n * 3 + c) * height + y) * width + x;
            double v = hashedUniform(j, 2246822519L, 3266489917L);
            double t = ((y * (2 * n + 1) + x * (c + 2)) % 97) / 48.0 - 1.0;
            out.put(((n * height + y) * width + x) * 3 + c, (float) (v * 2.0 + t * 1.5));
          }
        }
      }
    }
    return out;
  }

  /** fmix32((index * multiplier + addend) mod 2^32) / 2^32 - 0.5: uniform in [-0.5, 0.5), exact in double. */
  static double hashedUniform(long index, long multiplier, long addend) {
    long x = (index * multiplier + addend) & MASK32;
    return fmix32(x) / TWO_POW_32 - 0.5;
  }

  /** MurmurHash3's 32-bit finaliser, on a long holding an unsigned 32-bit value. */
  static long fmix32(long x) {
    x ^= x >>> 16;
    x = (x * 0x85EBCA6BL) & MASK32;
    x ^= x >>> 13;
    x = (x * 0xC2B2AE35L) & MASK32;
    return x ^ (x >>> 16);
  }
}
