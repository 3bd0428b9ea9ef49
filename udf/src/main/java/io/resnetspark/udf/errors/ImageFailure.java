package io.resnetspark.udf.errors;

/** An input that yields no prediction, with the code and message that go into its output row. */
public final class ImageFailure extends Exception {
  private final ErrorCode code;

  public ImageFailure(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
