package io.resnetspark.model.weights;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Element types a checkpoint may declare, with their names in both formats. Only the floating types with at most
 * 32 bits are weights we accept: they widen to float32 exactly. The others are known so that an error can name
 * them; {@link #INT64} is tolerated only for BatchNorm's {@code num_batches_tracked} counters, which are dropped.
 */
enum ElementType {
  FLOAT32("F32", "torch.FloatStorage", "float32", 4),
  FLOAT16("F16", "torch.HalfStorage", "float16", 2),
  BFLOAT16("BF16", "torch.BFloat16Storage", "bfloat16", 2),
  FLOAT64("F64", "torch.DoubleStorage", "float64", 8),
  INT64("I64", "torch.LongStorage", "int64", 8),
  INT32("I32", "torch.IntStorage", "int32", 4),
  INT16("I16", "torch.ShortStorage", "int16", 2),
  INT8("I8", "torch.CharStorage", "int8", 1),
  UINT8("U8", "torch.ByteStorage", "uint8", 1),
  BOOL("BOOL", "torch.BoolStorage", "bool", 1);

  final String safetensorsName;
  final String torchStorage;
  final String torchName;
  final int size;

  ElementType(String safetensorsName, String torchStorage, String torchName, int size) {
    this.safetensorsName = safetensorsName;
    this.torchStorage = torchStorage;
    this.torchName = torchName;
    this.size = size;
  }

  boolean widensToFloat() {
    return this == FLOAT32 || this == FLOAT16 || this == BFLOAT16;
  }

  static ElementType fromSafetensors(String name) {
    for (ElementType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  static ElementType fromTorchStorage(String qualifiedName) {
    for (ElementType t : values()) {
      if (t.torchStorage.equals(qualifiedName)) {
        return t;
      }
    }
    return null;
  }

  /** BatchNorm's step counter: an int64 buffer that inference does not use, so it is dropped, not refused. */
  static boolean isCounter(String key) {
    return key.equals("num_batches_tracked") || key.endsWith(".num_batches_tracked");
  }

  static CheckpointException unsupported(String file, String key, ElementType type) {
    return new CheckpointException(file + ": tensor '" + key + "' is " + type.describe() + "; only float32, "
        + "float16 and bfloat16 weights can be imported (convert in Python first, e.g. model.float())");
  }

  /** How an error names the type, e.g. {@code float64 (F64)}. */
  String describe() {
    return torchName + " (" + safetensorsName + ")";
  }

  /**
   * Decodes {@code count} elements from {@code src} (positioned at the first one, any byte order already set) into
   * {@code dst} starting at {@code dstOffset}. Only for {@link #widensToFloat()} types.
   */
  void decode(ByteBuffer src, float[] dst, int dstOffset, int count) {
    switch (this) {
      case FLOAT32 -> src.asFloatBuffer().get(dst, dstOffset, count);
      case FLOAT16 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = halfToFloat(src.getShort(src.position() + 2 * i));
        }
      }
      case BFLOAT16 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = Float.intBitsToFloat((src.getShort(src.position() + 2 * i) & 0xffff) << 16);
        }
      }
      default -> throw new IllegalStateException(name().toLowerCase(Locale.ROOT) + " does not widen to float32");
    }
    src.position(src.position() + count * size);
  }

  /**
   * IEEE 754 binary16 to binary32. Every half value is exactly representable as a float, so this is exact,
   * including subnormals (which become normal floats), infinities and NaN payloads. Java 17 has no
   * {@code Float.float16ToFloat}.
   */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      if (mantissa == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal half: shift the mantissa up until its leading one becomes the implicit bit.
      int shift = Integer.numberOfLeadingZeros(mantissa) - 21;
      mantissa = (mantissa << shift) & 0x3ff;
      exponent = 1 - shift;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
