package io.resnetspark.udf.batch;

import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import java.nio.FloatBuffer;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageColumnTest {
  /** Records what it was asked to decode. */
  private static class Recorder implements PixelDecoder {
    String call;

    @Override
    public int outputSize() {
      return 3;
    }

    @Override
    public void decode(byte[] encoded, FloatBuffer dest) {
      call = "bytes:" + encoded.length;
    }

    @Override
    public void decodeStruct(byte[] data, int height, int width, int nChannels, FloatBuffer dest) {
      call = "struct:" + height + "x" + width + "x" + nChannels + ":" + data.length;
    }
  }

  private static Row imageStruct(String origin, int height, int width, int channels, int mode, byte[] data) {
    return new GenericRowWithSchema(new Object[] {origin, height, width, channels, mode, data},
        ImageSchema.columnSchema());
  }

  private static ImageFailure failure(Object value, PixelDecoder decoder) {
    return assertThrows(ImageFailure.class, () -> ImageColumn.decode(value, decoder, FloatBuffer.allocate(3)));
  }

  @Test
  void binaryAndTheImageSourcesStructAreImageColumns() {
    assertEquals(ImageColumn.BINARY, ImageColumn.of("content", DataTypes.BinaryType));
    assertEquals(ImageColumn.IMAGE_STRUCT, ImageColumn.of("image", ImageSchema.columnSchema()));
  }

  @Test
  void otherTypesAreRefusedNamingTheColumn() {
    StructType almost = new StructType().add("height", DataTypes.IntegerType).add("data", DataTypes.BinaryType);
    for (var type : new DataType[] {DataTypes.StringType, almost}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageColumn.of("pic", type));
      assertTrue(e.getMessage().startsWith("input column 'pic' has type " + type.simpleString()), e.getMessage());
    }
  }

  @Test
  void bytesAndStructsReachTheMatchingDecoderCall() throws ImageFailure {
    Recorder recorder = new Recorder();
    ImageColumn.decode(new byte[] {1, 2}, recorder, FloatBuffer.allocate(3));
    assertEquals("bytes:2", recorder.call);
    ImageColumn.decode(imageStruct("f.png", 2, 3, 3, 16, new byte[18]), recorder, FloatBuffer.allocate(3));
    assertEquals("struct:2x3x3:18", recorder.call);
  }

  @Test
  void nullsAndEmptyValuesAreEmptyImages() {
    Recorder recorder = new Recorder();
    assertEquals(ErrorCode.EMPTY, failure(null, recorder).code());
    assertEquals("no image: the input value is null", failure(null, recorder).getMessage());
    assertEquals(ErrorCode.EMPTY, failure(new byte[0], recorder).code());
  }

  @Test
  void theImageSourcesInvalidImageRowIsCorruptAndNamesTheFile() {
    ImageFailure f = failure(imageStruct("file:/x/bad.jpg", -1, -1, -1, -1, new byte[0]), new Recorder());
    assertEquals(ErrorCode.CORRUPT, f.code());
    assertTrue(f.getMessage().contains("file:/x/bad.jpg"), f.getMessage());
  }

  @Test
  void aDecoderCrashCostsOneRowAsCorrupt() {
    PixelDecoder crashing = new Recorder() {
      @Override
      public void decode(byte[] encoded, FloatBuffer dest) {
        throw new ArrayIndexOutOfBoundsException("codec bug");
      }
    };
    ImageFailure f = failure(new byte[] {1}, crashing);
    assertEquals(ErrorCode.CORRUPT, f.code());
    assertTrue(f.getMessage().contains("codec bug"), f.getMessage());
  }

  @Test
  void aValueOfAnotherTypeIsACallerError() {
    assertThrows(IllegalArgumentException.class,
        () -> ImageColumn.decode("text", new Recorder(), FloatBuffer.allocate(3)));
  }
}
