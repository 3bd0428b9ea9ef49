package io.resnetspark.udf.batch;

import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import io.resnetspark.udf.testing.TestImages;
import io.resnetspark.udf.testing.TestModels;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreprocessorDecoderTest {
  private final PixelDecoder decoder = PreprocessorDecoder.DEFAULT.create(TestModels.SPEC);

  @Test
  void writesOneCropOfFloatsAtTheBuffersPosition() throws ImageFailure {
    assertEquals(TestModels.CROP * TestModels.CROP * 3, decoder.outputSize());
    FloatBuffer dest = FloatBuffer.allocate(2 * decoder.outputSize());
    dest.position(decoder.outputSize());
    decoder.decode(TestImages.png(1, 90, 70), dest);
    assertEquals(2 * decoder.outputSize(), dest.position());
    assertEquals(0f, dest.get(0), "the first slot is untouched");
  }

  @Test
  void aBgrStructAndThePngOfTheSamePictureGiveTheSameFloats() throws ImageFailure {
    BufferedImage picture = TestImages.picture(4, 83, 61);
    FloatBuffer fromPng = FloatBuffer.allocate(decoder.outputSize());
    FloatBuffer fromStruct = FloatBuffer.allocate(decoder.outputSize());
    decoder.decode(TestImages.encode(picture, "png"), fromPng);
    decoder.decodeStruct(TestImages.bgr(picture), 61, 83, 3, fromStruct);
    assertArrayEquals(fromPng.array(), fromStruct.array());
  }

  @Test
  void imageErrorsBecomeFailuresWithTheirCodeAndMessage() {
    ImageFailure text = assertThrows(ImageFailure.class,
        () -> decoder.decode(TestImages.text(), FloatBuffer.allocate(decoder.outputSize())));
    assertEquals(ErrorCode.UNSUPPORTED_FORMAT, text.code());
    ImageFailure truncated = assertThrows(ImageFailure.class,
        () -> decoder.decode(TestImages.truncatedPng(2), FloatBuffer.allocate(decoder.outputSize())));
    assertEquals(ErrorCode.CORRUPT, truncated.code());
    ImageFailure badStruct = assertThrows(ImageFailure.class,
        () -> decoder.decodeStruct(new byte[5], 2, 2, 3, FloatBuffer.allocate(decoder.outputSize())));
    assertEquals(ErrorCode.CORRUPT, badStruct.code());
    assertTrue(badStruct.getMessage().contains("should hold 12 bytes"), badStruct.getMessage());
  }
}
