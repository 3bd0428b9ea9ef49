package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The report chart: a PNG with one bar per label, error code and throughput figure. */
class ReportChartTest {
  @Test
  void isAPngOfTheDocumentedSize() throws IOException {
    byte[] png = ReportChart.png(RunReportTest.sample(true, 0, RunReportTest.histogram()));
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(ReportChart.WIDTH, image.getWidth());
    assertEquals(ReportChart.HEIGHT, image.getHeight());
  }

  @Test
  void hasABarPerLabelAndErrorCodeLongestFirst() {
    List<ReportChart.Bar> bars = ReportChart.labelBars(RunReportTest.sample(false, 0, RunReportTest.histogram()));
    assertEquals(List.of("tabby", "tiger cat", "goldfish", "CORRUPT", "EMPTY"),
        bars.stream().map(ReportChart.Bar::name).toList());
    assertEquals(4.0, bars.get(0).value());
  }

  @Test
  void keepsOnlyTheMostFrequentLabels() {
    Map<String, Long> many = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      many.put("label" + i, (long) i);
    }
    List<ReportChart.Bar> bars = ReportChart.labelBars(RunReportTest.sample(false, 0, many));
    assertEquals("label39", bars.get(0).name());
    assertEquals(ReportChart.MAX_BARS + 2, bars.size(), "top labels plus the two error codes");
  }

  @Test
  void showsOverallAndPerStageThroughput() {
    List<ReportChart.Bar> bars = ReportChart.speedBars(RunReportTest.sample(false, 0, RunReportTest.histogram()));
    assertEquals(List.of("overall (wall time)", "read+decode (per task-second)",
        "inference (per task-second): BOTTLENECK", "write (per task-second)"),
        bars.stream().map(ReportChart.Bar::name).toList(), "the sample decodes 2.5 img/s and infers 1.0");
    assertEquals(0.5, bars.get(0).value());
    assertNotEquals(bars.get(1).color(), bars.get(2).color(), "the bottleneck stands out");
  }

  @Test
  void throughputBarsUseALogScaleSoSlowStagesStayVisibleBesideFastWrites() {
    assertEquals(0.025, ReportChart.barFraction(0.5, 20, false), 1e-9);
    assertEquals(Math.log(1.5) / Math.log(21), ReportChart.barFraction(0.5, 20, true), 1e-9);
    assertTrue(ReportChart.barFraction(11, 1500, true) > 0.3, "overall next to a fast write stage");
    assertEquals(1.0, ReportChart.barFraction(1500, 1500, true), 1e-9);
    assertEquals(0.0, ReportChart.barFraction(0, 1500, true));
  }

  @Test
  void barsAreDrawnInTheirColours() {
    BufferedImage withErrors = ReportChart.draw(RunReportTest.sample(false, 0, RunReportTest.histogram()));
    assertTrue(countColour(withErrors, 0xD8453B) > 100, "red error bars");
    assertTrue(countColour(withErrors, 0x3B7DD8) > 100, "blue label bars");
    assertTrue(countColour(withErrors, 0x2E9E6A) > 100, "green overall throughput bar");
  }

  private static int countColour(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}
