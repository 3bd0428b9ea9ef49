package io.resnetspark.model.weights;

import java.io.IOException;

/**
 * A weights file that cannot be used: unreadable format, damaged or truncated content, a pickle that names code, an
 * unsupported dtype, or tensors that do not fit the requested architecture.
 *
 * <p>It is an {@link IOException} because it is always about the content of a file the user supplied: callers that
 * read a checkpoint already handle {@code IOException}, and the CLI turns it into a one-line user error (the first
 * line of the message says what is wrong and what to do; further lines, when present, list details).
 */
public class CheckpointException extends IOException {

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
