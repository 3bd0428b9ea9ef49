package io.resnetspark.job;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The run report as a picture ({@code _run_report.png}): on the left the most frequent labels and the errors by
 * code, on the right the throughput overall and per stage. Drawn with Java2D in headless mode, so it needs no
 * display and no extra library.
 */
public final class ReportChart {
  public static final int WIDTH = 960;
  public static final int HEIGHT = 540;
  static final int MAX_BARS = 14;
  private static final Color LABEL_BAR = new Color(0x3B7DD8);
  private static final Color ERROR_BAR = new Color(0xD8453B);
  private static final Color SPEED_BAR = new Color(0x2E9E6A);
  private static final Color TEXT = new Color(0x222222);
  private static final Color MUTED = new Color(0x777777);

  private ReportChart() {
  }

  /** One bar: its text, value, colour and the number printed next to it. */
  record Bar(String name, double value, Color color, String valueText) {
  }

  /** The chart as PNG bytes. */
  public static byte[] png(RunReport report) {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = draw(report);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer in this Java runtime");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static BufferedImage draw(RunReport report) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      title(g, report);
      int top = 112;
      int half = WIDTH / 2;
      panel(g, "Labels (top " + MAX_BARS + ") and errors", labelBars(report), false, 24, top, half - 48,
          HEIGHT - top - 24);
      // Writing runs two orders of magnitude faster than inference: on a linear scale the rates that matter vanish.
      panel(g, "Throughput (images/s, log scale)", speedBars(report), true, half + 24, top, half - 48,
          HEIGHT - top - 24);
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void title(Graphics2D g, RunReport r) {
    g.setColor(TEXT);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
    g.drawString("resnet-spark run " + r.runId() + " (" + r.status().replace('_', ' ') + ")", 24, 34);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    g.setColor(MUTED);
    g.drawString(String.format(Locale.ROOT, "%s, %d classes; %,d seen, %,d skipped, %,d written (%,d errors) in %.1f s",
        r.model().architecture(), r.model().numClasses(), r.counts().inputsSeen(), r.counts().skipped(),
        r.counts().rowsWritten(), r.counts().errors(), r.wallSeconds()), 24, 58);
    if (r.model().randomWeights()) {
      g.setColor(ERROR_BAR);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString("RANDOM WEIGHTS: labels are meaningless", 24, 80);
    }
  }

  static List<Bar> labelBars(RunReport r) {
    List<Bar> bars = new ArrayList<>();
    r.labelHistogram().entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(MAX_BARS)
        .forEach(e -> bars.add(new Bar(e.getKey(), e.getValue(), LABEL_BAR, Long.toString(e.getValue()))));
    r.counts().errorsByCode().forEach((code, n) -> bars.add(new Bar(code, n, ERROR_BAR, Long.toString(n))));
    return bars;
  }

  static List<Bar> speedBars(RunReport r) {
    List<Bar> bars = new ArrayList<>();
    double overall = r.throughput().imagesPerSecond();
    bars.add(new Bar("overall (wall time)", overall, SPEED_BAR, format(overall)));
    String slowest = r.throughput().bottleneckStage();
    r.throughput().stages().forEach((name, stage) -> {
      double rate = stage.imagesPerTaskSecond() == null ? 0 : stage.imagesPerTaskSecond();
      boolean bound = name.equals(slowest);
      bars.add(new Bar(name + (bound ? " (per task-second): BOTTLENECK" : " (per task-second)"), rate,
          bound ? ERROR_BAR : LABEL_BAR, format(rate)));
    });
    return bars;
  }

  private static void panel(Graphics2D g, String heading, List<Bar> bars, boolean logScale, int x, int y, int width,
                            int height) {
    g.setColor(TEXT);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(heading, x, y);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    if (bars.isEmpty()) {
      g.setColor(MUTED);
      g.drawString("nothing written in this run", x, y + 30);
      return;
    }
    FontMetrics fm = g.getFontMetrics();
    int nameWidth = Math.min(width / 2, bars.stream().mapToInt(b -> fm.stringWidth(b.name())).max().orElse(0) + 8);
    int barArea = width - nameWidth - 56;
    int rowHeight = Math.max(14, Math.min(28, (height - 20) / bars.size()));
    double max = bars.stream().mapToDouble(Bar::value).max().orElse(1);
    int rowY = y + 16;
    for (Bar bar : bars) {
      g.setColor(TEXT);
      g.drawString(clip(bar.name(), fm, nameWidth - 8), x, rowY + rowHeight - 8);
      int length = (int) Math.round(barArea * barFraction(bar.value(), max, logScale));
      g.setColor(bar.color());
      g.fillRect(x + nameWidth, rowY + 3, Math.max(length, bar.value() > 0 ? 1 : 0), rowHeight - 6);
      g.setColor(MUTED);
      g.drawString(bar.valueText(), x + nameWidth + length + 6, rowY + rowHeight - 8);
      rowY += rowHeight;
    }
    g.setColor(MUTED);
    g.setStroke(new BasicStroke(1f));
    g.drawLine(x + nameWidth, y + 16, x + nameWidth, rowY);
  }

  /** How much of the bar area a value fills: a share of the largest value, or of its log(1 + x). */
  static double barFraction(double value, double max, boolean logScale) {
    if (max <= 0 || value <= 0) {
      return 0;
    }
    return logScale ? Math.log1p(value) / Math.log1p(max) : value / max;
  }

  private static String clip(String text, FontMetrics fm, int width) {
    if (fm.stringWidth(text) <= width) {
      return text;
    }
    String clipped = text;
    while (!clipped.isEmpty() && fm.stringWidth(clipped + "...") > width) {
      clipped = clipped.substring(0, clipped.length() - 1);
    }
    return clipped + "...";
  }

  private static String format(double value) {
    return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
  }
}
