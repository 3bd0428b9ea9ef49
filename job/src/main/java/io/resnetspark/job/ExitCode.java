package io.resnetspark.job;

/**
 * The job's exit codes, documented in docs/JOB.md. Scripts and schedulers branch on them, so they never change
 * meaning.
 */
public final class ExitCode {
  /** Every input has a row in the output and the error rate is within {@code --max-error-rate}. */
  public static final int OK = 0;
  /**
   * The command line is well-formed but what it names is not usable (missing model, no matching input, an output
   * the mode may not write to, labels that do not match the model). Found on the driver before any image is read.
   */
  public static final int CONFIG_ERROR = 1;
  /** The command line itself is wrong: unknown option, missing or malformed value, number out of range. */
  public static final int USAGE = 2;
  /** The rows were written and committed, but more of them are errors than {@code --max-error-rate} allows. */
  public static final int ERROR_RATE_EXCEEDED = 3;
  /** The Spark job failed (lost executors beyond retries, storage errors...); nothing of this run is committed. */
  public static final int RUN_FAILED = 4;

  private ExitCode() {
  }
}
