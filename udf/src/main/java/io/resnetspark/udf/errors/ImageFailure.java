package io.resnetspark.udf.errors;

/** An input that yields no prediction, with the code and message that go into its output row. */
public final class ImageFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public ImageFailure(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ImageFailure(ErrorCode code, String message, Throwable cause) {
    // No stack trace: bad inputs are routine, and the code and message are what reaches the row.
    super(message, cause, false, false);
    if (code == null) {
      throw new IllegalArgumentException("an image failure needs a code");
    }
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
