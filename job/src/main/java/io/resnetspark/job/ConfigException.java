package io.resnetspark.job;

/**
 * A configuration problem the user can fix, found on the driver before any image is read. Its message is the one
 * line printed, so it says what is wrong and what to do.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
