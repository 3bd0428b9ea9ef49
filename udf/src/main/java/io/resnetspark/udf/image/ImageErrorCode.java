package io.resnetspark.udf.image;

/** Why an input could not become a model input; the Spark side reports it per row in {@code error_code}. */
public enum ImageErrorCode {
  /** No bytes at all (an empty file or a null/empty column value). */
  EMPTY,
  /** Not one of the decodable formats: JPEG, PNG, GIF, BMP, WebP, TIFF (or a variant the decoder does not support). */
  UNSUPPORTED_FORMAT,
  /** Recognised format, but the data is damaged or truncated. */
  CORRUPT,
  /** Over the byte-size or pixel-count limit; refused before any pixel is decoded. */
  TOO_LARGE
}
