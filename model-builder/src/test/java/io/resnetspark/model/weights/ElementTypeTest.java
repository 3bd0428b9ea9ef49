package io.resnetspark.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ElementTypeTest {

  /** binary16 by its definition, (-1)^s * 2^(e-15) * 1.m (or 2^-14 * 0.m), computed in double: exact. */
  private static float halfByDefinition(int bits) {
    int sign = bits >>> 15;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    double magnitude;
    if (exponent == 0x1f) {
      magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else if (exponent == 0) {
      magnitude = Math.scalb(mantissa / 1024.0, -14);
    } else {
      magnitude = Math.scalb(1 + mantissa / 1024.0, exponent - 15);
    }
    return (float) (sign == 1 ? -magnitude : magnitude);
  }

  @Test
  void everyHalfValueWidensExactly() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float widened = ElementType.halfToFloat((short) bits);
      float expected = halfByDefinition(bits);
      if (Float.isNaN(expected)) {
        assertTrue(Float.isNaN(widened), "NaN stays NaN: " + Integer.toHexString(bits));
      } else {
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(widened), Integer.toHexString(bits));
      }
    }
  }

  @Test
  void decodesEachWideningTypeFromLittleEndianBytes() {
    ByteBuffer f32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-0.0f).flip();
    ByteBuffer f16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
        .putShort((short) 0x3e00).putShort((short) 0x0001).flip();
    ByteBuffer bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
        .putShort((short) 0x3fc0).putShort((short) 0xc049).flip();
    float[] out = new float[7];
    ElementType.FLOAT32.decode(f32, out, 1, 2);
    ElementType.FLOAT16.decode(f16, out, 3, 2);
    ElementType.BFLOAT16.decode(bf16, out, 5, 2);
    assertEquals(0f, out[0], "untouched before the offset");
    assertEquals(1.5f, out[1]);
    assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(out[2]));
    assertEquals(1.5f, out[3]);
    assertEquals(Math.scalb(1f, -24), out[4], "smallest half subnormal");
    assertEquals(1.5f, out[5]);
    assertEquals(-3.140625f, out[6]);
    assertEquals(0, f32.remaining() + f16.remaining() + bf16.remaining(), "decode consumes what it reads");
  }

  @Test
  void knowsBothFormatsNamesAndWhatWidens() {
    assertEquals(ElementType.BFLOAT16, ElementType.fromSafetensors("BF16"));
    assertEquals(ElementType.FLOAT64, ElementType.fromTorchStorage("torch.DoubleStorage"));
    assertNull(ElementType.fromSafetensors("F8_E4M3"));
    assertNull(ElementType.fromTorchStorage("torch.ComplexFloatStorage"));
    assertTrue(ElementType.FLOAT16.widensToFloat());
    assertFalse(ElementType.FLOAT64.widensToFloat());
    assertFalse(ElementType.INT64.widensToFloat());
  }

  @Test
  void onlyBatchNormStepCountersAreCounters() {
    assertTrue(ElementType.isCounter("layer1.0.bn1.num_batches_tracked"));
    assertTrue(ElementType.isCounter("num_batches_tracked"));
    assertFalse(ElementType.isCounter("fc.weight"));
    assertFalse(ElementType.isCounter("my_num_batches_tracked"));
  }

  @Test
  void unsupportedTypeMessageNamesFileTensorAndType() {
    String message = ElementType.unsupported("w.pth", "conv1.weight", ElementType.FLOAT64).getMessage();
    assertTrue(message.contains("w.pth") && message.contains("'conv1.weight'") && message.contains("float64 (F64)"),
        message);
  }
}
