package io.resnetspark.udf.batch;

import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import io.resnetspark.udf.image.ImageErrorCode;
import io.resnetspark.udf.image.ImageException;
import io.resnetspark.udf.image.ImageLimits;
import io.resnetspark.udf.image.ImagePreprocessor;
import java.nio.FloatBuffer;

/** The production {@link PixelDecoder}: the torchvision-equal {@link ImagePreprocessor} of the model's spec. */
public final class PreprocessorDecoder implements PixelDecoder {
  /** Decoders with the default limits (100 megapixels, 64 MiB per image). */
  public static final DecoderFactory DEFAULT = spec -> new PreprocessorDecoder(spec, ImageLimits.defaults());

  private final ImagePreprocessor preprocessor;

  PreprocessorDecoder(PreprocessSpec spec, ImageLimits limits) {
    this.preprocessor = new ImagePreprocessor(spec, limits);
  }

  @Override
  public int outputSize() {
    return preprocessor.outputSize();
  }

  @Override
  public void decode(byte[] encoded, FloatBuffer dest) throws ImageFailure {
    try {
      preprocessor.preprocess(encoded, dest);
    } catch (ImageException e) {
      throw failure(e);
    }
  }

  @Override
  public void decodeStruct(byte[] data, int height, int width, int nChannels, FloatBuffer dest)
      throws ImageFailure {
    try {
      preprocessor.preprocessImageStruct(data, height, width, nChannels, dest);
    } catch (ImageException e) {
      throw failure(e);
    }
  }

  static ErrorCode code(ImageErrorCode code) {
    return switch (code) {
      case EMPTY -> ErrorCode.EMPTY;
      case UNSUPPORTED_FORMAT -> ErrorCode.UNSUPPORTED_FORMAT;
      case CORRUPT -> ErrorCode.CORRUPT;
      case TOO_LARGE -> ErrorCode.TOO_LARGE;
    };
  }

  private static ImageFailure failure(ImageException e) {
    return new ImageFailure(code(e.code()), e.getMessage());
  }
}
