package io.resnetspark.udf.errors;

/**
 * Why an output row has no prediction: the one vocabulary of failures for every module. The {@code error_code}
 * column holds the name. A bad input never fails a task; it becomes one of these on the row of the file that caused
 * it.
 *
 * <p>A transient code names a failure that may pass by itself (a storage hiccup, a model run that failed for a
 * reason outside the image): a later run should try that input again. A permanent code is a property of the bytes,
 * and trying again gives the same answer.
 */
public enum ErrorCode {
  /** No image data: an empty file or value, or a null input value. */
  EMPTY(false),
  /** Bytes in a format the decoders do not read (text, random bytes, an unknown container or codec variant). */
  UNSUPPORTED_FORMAT(false),
  /** A known format that fails to decode (truncated or damaged). */
  CORRUPT(false),
  /** More pixels or bytes than the decoding limits allow, refused before decoding. */
  TOO_LARGE(false),
  /** The file was listed but could not be read (gone since the listing, no permission, an I/O error). */
  UNREADABLE(true),
  /** The model failed on this image even when run on its own. */
  MODEL_ERROR(true);

  private final boolean transientFailure;

  ErrorCode(boolean transientFailure) {
    this.transientFailure = transientFailure;
  }

  /** True when trying the same input again later may succeed, so a later run should not count it as done. */
  public boolean isTransient() {
    return transientFailure;
  }
}
