package io.resnetspark.udf.errors;

/**
 * Why a row has no prediction; the {@code error_code} column holds the name. Image problems never fail a task, they
 * become one of these on the row that caused them.
 */
public enum ErrorCode {
  /** No image data: an empty value, or a null input value (a null is reported as an empty image, not a new code). */
  EMPTY,
  /** Bytes in a format the decoders do not read (text, random bytes, an unknown container). */
  UNSUPPORTED_FORMAT,
  /** A known format that fails to decode (truncated or damaged). */
  CORRUPT,
  /** More pixels or bytes than the decoding limits allow, refused before decoding. */
  TOO_LARGE,
  /** The model failed on this image even when run on its own. */
  MODEL_ERROR
}
