package io.resnetspark.udf.batch;

import io.resnetspark.model.PreprocessSpec;
import java.io.Serializable;

/** Makes the {@link PixelDecoder} for a model's preprocessing spec; shipped to executors with the task. */
@FunctionalInterface
public interface DecoderFactory extends Serializable {
  PixelDecoder create(PreprocessSpec spec);
}
