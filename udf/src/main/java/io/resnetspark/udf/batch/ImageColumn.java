package io.resnetspark.udf.batch;

import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The two column types an image can come in, and how one value of either becomes model input: encoded bytes (the
 * {@code content} column of {@code spark.read.format("binaryFile")}) or the image struct of
 * {@code spark.read.format("image")} (decoded BGR(A) pixels).
 */
public enum ImageColumn {
  BINARY,
  IMAGE_STRUCT;

  static final String HEIGHT = "height";
  static final String WIDTH = "width";
  static final String CHANNELS = "nChannels";
  static final String MODE = "mode";
  static final String DATA = "data";
  static final String ORIGIN = "origin";
  /** The {@code mode} Spark's image source gives files it could not decode ({@code ImageSchema.undefinedImageType}). */
  private static final int UNDEFINED_MODE = -1;

  /**
   * The kind of a column of type {@code type}.
   *
   * @throws IllegalArgumentException naming {@code column} if it can hold neither
   */
  public static ImageColumn of(String column, DataType type) {
    if (type instanceof BinaryType) {
      return BINARY;
    }
    if (type instanceof StructType struct && hasField(struct, HEIGHT, DataTypes.IntegerType)
        && hasField(struct, WIDTH, DataTypes.IntegerType) && hasField(struct, CHANNELS, DataTypes.IntegerType)
        && hasField(struct, DATA, DataTypes.BinaryType)) {
      return IMAGE_STRUCT;
    }
    throw new IllegalArgumentException("input column '" + column + "' has type " + type.simpleString()
        + "; expected binary (the content column of spark.read.format(\"binaryFile\")) or an image struct with int "
        + "height, width, nChannels and binary data (the image column of spark.read.format(\"image\"))");
  }

  /**
   * Writes the model input for one column value ({@code byte[]}, an image-struct {@link Row}, or null) at
   * {@code dest.position()}. Every problem with the image becomes an {@link ImageFailure}; a value of another
   * type is a caller error and throws {@link IllegalArgumentException}.
   */
  public static void decode(Object value, PixelDecoder decoder, FloatBuffer dest) throws ImageFailure {
    if (value == null) {
      throw new ImageFailure(ErrorCode.EMPTY, "no image: the input value is null");
    }
    try {
      if (value instanceof byte[] bytes) {
        if (bytes.length == 0) {
          throw new ImageFailure(ErrorCode.EMPTY, "no image: the input has 0 bytes");
        }
        decoder.decode(bytes, dest);
      } else if (value instanceof Row row) {
        decodeStruct(row, decoder, dest);
      } else {
        throw new IllegalArgumentException("an image value must be binary or an image struct, got "
            + value.getClass().getName());
      }
    } catch (ImageFailure | IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      // A decoder bug or a codec choking on hostile bytes must cost one row, not the task.
      throw new ImageFailure(ErrorCode.CORRUPT, "decoder failed: " + e);
    }
  }

  private static void decodeStruct(Row row, PixelDecoder decoder, FloatBuffer dest) throws ImageFailure {
    Integer height = row.getAs(HEIGHT);
    Integer width = row.getAs(WIDTH);
    Integer channels = row.getAs(CHANNELS);
    boolean undecoded = hasMode(row) && Integer.valueOf(UNDEFINED_MODE).equals(row.getAs(MODE));
    if (undecoded || height == null || width == null || channels == null) {
      // The data source's row for a file it could not read; the origin tells the user which file.
      throw new ImageFailure(ErrorCode.CORRUPT, "Spark's image data source could not decode "
          + (hasOrigin(row) ? row.getAs(ORIGIN) : "this image"));
    }
    decoder.decodeStruct(row.getAs(DATA), height, width, channels, dest);
  }

  private static boolean hasMode(Row row) {
    return row.schema() != null && Arrays.asList(row.schema().fieldNames()).contains(MODE);
  }

  private static boolean hasOrigin(Row row) {
    return row.schema() != null && Arrays.asList(row.schema().fieldNames()).contains(ORIGIN);
  }

  private static boolean hasField(StructType struct, String name, DataType type) {
    for (StructField f : struct.fields()) {
      if (f.name().equals(name) && f.dataType().equals(type)) {
        return true;
      }
    }
    return false;
  }
}
