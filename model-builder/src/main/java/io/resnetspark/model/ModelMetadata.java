package io.resnetspark.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.resnetspark.model.contract.SavedModelContract;
import io.resnetspark.model.contract.SavedModelLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code assets/model.json}: what a SavedModel is and how its input must be prepared. Written by the builder, read
 * by the executors and by {@code verify}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelMetadata(
    @JsonProperty("format_version") int formatVersion,
    @JsonProperty("architecture") String architecture,
    @JsonProperty("num_classes") int numClasses,
    @JsonProperty("parameter_count") long parameterCount,
    @JsonProperty("feature_dim") int featureDim,
    @JsonProperty("macs_at_crop") long macsAtCrop,
    @JsonProperty("input") InputSpec input,
    @JsonProperty("preprocessing") PreprocessSpec preprocessing,
    @JsonProperty("weights") WeightsInfo weights,
    @JsonProperty("batchnorm_folded") boolean batchNormFolded,
    @JsonProperty("labels_file") String labelsFile,
    @JsonProperty("builder_version") String builderVersion,
    @JsonProperty("created_at") String createdAt) {

  /** The {@code images} input of both signatures. */
  public record InputSpec(
      @JsonProperty("name") String name,
      @JsonProperty("dtype") String dtype,
      @JsonProperty("shape") long[] shape,
      @JsonProperty("layout") String layout,
      @JsonProperty("channel_order") String channelOrder,
      @JsonProperty("min_size") int minSize) {

    public static InputSpec standard() {
      return new InputSpec(SavedModelContract.INPUT, "float32", new long[] {-1, -1, -1, 3}, "NHWC", "RGB",
          SavedModelContract.MIN_INPUT_SIZE);
    }
  }

  /**
   * Where the weights came from: {@code source} is {@code random} (with {@code seed}) or {@code checkpoint}
   * (with the file's name, format and SHA-256).
   */
  public record WeightsInfo(
      @JsonProperty("source") String source,
      @JsonProperty("seed") Long seed,
      @JsonProperty("file") String file,
      @JsonProperty("format") String format,
      @JsonProperty("sha256") String sha256) {

    public static WeightsInfo random(long seed) {
      return new WeightsInfo("random", seed, null, null, null);
    }

    public static WeightsInfo checkpoint(String file, String format, String sha256) {
      return new WeightsInfo("checkpoint", null, file, format, sha256);
    }

    public boolean isRandom() {
      return "random".equals(source);
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public Architecture arch() {
    return Architecture.fromId(architecture);
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ModelMetadata fromJson(InputStream in) throws IOException {
    ModelMetadata m = MAPPER.readValue(in, ModelMetadata.class);
    if (m.formatVersion() != SavedModelContract.FORMAT_VERSION) {
      throw new IOException(SavedModelLayout.METADATA_FILE + " has format_version " + m.formatVersion()
          + ", this build reads " + SavedModelContract.FORMAT_VERSION
          + "; rebuild the model with this version of the builder");
    }
    if (m.preprocessing() == null || m.architecture() == null || m.numClasses() < 1) {
      throw new IOException(SavedModelLayout.METADATA_FILE + " lacks architecture, num_classes or preprocessing; "
          + "rebuild the model");
    }
    return m;
  }

  public static ModelMetadata read(Path savedModelDir) throws IOException {
    try (InputStream in = Files.newInputStream(SavedModelLayout.metadataFile(savedModelDir))) {
      return fromJson(in);
    }
  }
}
