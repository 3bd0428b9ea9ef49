package io.resnetspark.udf.batch;

import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.udf.errors.ImageFailure;
import io.resnetspark.udf.image.DecodeMode;
import io.resnetspark.udf.image.ImageLimits;
import io.resnetspark.udf.image.ImagePreprocessor;
import java.nio.FloatBuffer;

/** The production {@link PixelDecoder}: the torchvision-equal {@link ImagePreprocessor} of the model's spec. */
public final class PreprocessorDecoder implements PixelDecoder {
  /** Decoders with the default limits. */
  public static final DecoderFactory DEFAULT = withLimits(ImageLimits.defaults());

  private final ImagePreprocessor preprocessor;

  /** Decoders that refuse, before decoding, images over {@code limits}. */
  public static DecoderFactory withLimits(ImageLimits limits) {
    return withLimits(limits, DecodeMode.EXACT);
  }

  /** The same, decoding JPEGs in {@code mode}. */
  public static DecoderFactory withLimits(ImageLimits limits, DecodeMode mode) {
    return spec -> new PreprocessorDecoder(spec, limits, mode);
  }

  PreprocessorDecoder(PreprocessSpec spec, ImageLimits limits, DecodeMode mode) {
    this.preprocessor = new ImagePreprocessor(spec, limits, mode);
  }

  @Override
  public int outputSize() {
    return preprocessor.outputSize();
  }

  @Override
  public void decode(byte[] encoded, FloatBuffer dest) throws ImageFailure {
    preprocessor.preprocess(encoded, dest);
  }

  @Override
  public void decodeStruct(byte[] data, int height, int width, int nChannels, FloatBuffer dest)
      throws ImageFailure {
    preprocessor.preprocessImageStruct(data, height, width, nChannels, dest);
  }
}
