package io.resnetspark.udf.batch;

import io.resnetspark.udf.errors.ImageFailure;
import java.nio.FloatBuffer;

/**
 * Turns one input image into the model's input: {@link #outputSize()} floats, NHWC, written at
 * {@code dest.position()}. Implementations are thread-safe.
 */
public interface PixelDecoder {
  /** Floats per image: crop * crop * 3. */
  int outputSize();

  /** Decodes encoded image bytes (JPEG, PNG, ...), as in the {@code content} column of {@code binaryFile}. */
  void decode(byte[] encoded, FloatBuffer dest) throws ImageFailure;

  /**
   * Preprocesses the pixels of an image struct of Spark's {@code image} data source: {@code data} is row-major
   * BGR or BGRA (or gray) bytes with {@code nChannels} per pixel.
   */
  void decodeStruct(byte[] data, int height, int width, int nChannels, FloatBuffer dest) throws ImageFailure;
}
