package io.resnetspark.model.pretrained;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * What a user sees of a download: on a terminal a bar redrawn in place, otherwise (logs, CI, Spark drivers) one
 * line when it starts and one when it ends, so a log file is not filled with carriage returns.
 */
public final class DownloadProgress {
  static final int BAR_WIDTH = 30;

  private final PrintWriter out;
  private final boolean terminal;
  private String label = "";
  private int drawnPercent = -1;

  DownloadProgress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** A bar when this process has a console ({@code System.console() != null}), log lines otherwise. */
  public static DownloadProgress forConsole(PrintWriter out) {
    return new DownloadProgress(out, System.console() != null);
  }

  public static DownloadProgress bar(PrintWriter out) {
    return new DownloadProgress(out, true);
  }

  public static DownloadProgress lines(PrintWriter out) {
    return new DownloadProgress(out, false);
  }

  synchronized void started(String url, String target, long totalBytes) {
    label = target.substring(target.lastIndexOf('/') + 1);
    drawnPercent = -1;
    out.printf("downloading %s%s to %s%n", url, totalBytes > 0 ? " (" + megabytes(totalBytes) + ")" : "", target);
    out.flush();
  }

  synchronized void advanced(long bytes, long totalBytes) {
    if (!terminal || totalBytes <= 0) {
      return;
    }
    int percent = (int) Math.min(100, bytes * 100 / totalBytes);
    if (percent == drawnPercent) {
      return;
    }
    drawnPercent = percent;
    out.print("\r" + bar(label, bytes, totalBytes));
    out.flush();
  }

  synchronized void finished(long bytes, double seconds) {
    if (terminal && drawnPercent >= 0) {
      out.println();
    }
    out.printf(Locale.ROOT, "downloaded %s in %.1f s%n", megabytes(bytes), seconds);
    out.flush();
  }

  /** Ends a bar that a failure interrupted, so the error starts on its own line. */
  synchronized void failed() {
    if (terminal && drawnPercent >= 0) {
      out.println();
      out.flush();
    }
  }

  static String bar(String label, long bytes, long totalBytes) {
    int filled = (int) (BAR_WIDTH * Math.min(bytes, totalBytes) / totalBytes);
    return String.format(Locale.ROOT, "%s %3d%% [%s%s] %s / %s", label, bytes * 100 / totalBytes,
        "#".repeat(filled), " ".repeat(BAR_WIDTH - filled), megabytes(bytes), megabytes(totalBytes));
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
