package io.resnetspark.udf.image;

/** An input that cannot be preprocessed, with a machine-readable code and a message saying what is wrong. */
public final class ImageException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ImageErrorCode code;

  public ImageException(ImageErrorCode code, String message) {
    this(code, message, null);
  }

  public ImageException(ImageErrorCode code, String message, Throwable cause) {
    super(message, cause);
    if (code == null) {
      throw new IllegalArgumentException("an image error needs a code");
    }
    this.code = code;
  }

  public ImageErrorCode code() {
    return code;
  }
}
