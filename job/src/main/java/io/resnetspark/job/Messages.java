package io.resnetspark.job;

/** How the job turns exceptions into the one-line messages a user sees on stderr and in the report. */
public final class Messages {
  private Messages() {
  }

  /** The first line of {@code e}'s message, or its class name when it has none: stack traces stay in the log. */
  public static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  /** The outer message and the innermost cause, which names what actually went wrong (Spark wraps task failures). */
  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String first = firstLine(e);
    return root == e ? first : first + " (cause: " + root.getClass().getSimpleName() + ": " + firstLine(root) + ")";
  }
}
