package io.resnetspark.udf;

/** The production {@link DecoderFactory}: the torchvision-equal preprocessing of {@code io.resnetspark.udf.image}. */
final class StandardDecoders {
  /** Set once the image package is merged; until then callers must supply a factory. */
  static final DecoderFactory FACTORY = spec -> {
    throw new IllegalStateException("image preprocessing (io.resnetspark.udf.image) is not in this build yet");
  };

  private StandardDecoders() {
  }
}
