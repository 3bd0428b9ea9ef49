package io.resnetspark.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A bar redrawn in place on a terminal; a start and an end line in logs. */
class DownloadProgressTest {
  StringWriter out = new StringWriter();

  @Test
  void aTerminalGetsABarRedrawnOncePerPercent() {
    DownloadProgress p = DownloadProgress.bar(new PrintWriter(out));
    p.started("http://h/models/r-1234abcd.pth", "/c/weights/r-1234abcd.pth", 200_000_000);
    p.advanced(1_000_000, 200_000_000);
    p.advanced(1_500_000, 200_000_000);
    p.advanced(100_000_000, 200_000_000);
    p.advanced(200_000_000, 200_000_000);
    p.finished(200_000_000, 2.5);
    String s = out.toString();
    assertTrue(s.startsWith("downloading http://h/models/r-1234abcd.pth (200.0 MB) to /c/weights/"), s);
    assertEquals(3, s.chars().filter(c -> c == '\r').count(), "0%, 50% and 100% drawn once each: " + s);
    assertTrue(s.contains("\rr-1234abcd.pth  50% [###############               ] 100.0 MB / 200.0 MB"), s);
    assertTrue(s.endsWith("200.0 MB / 200.0 MB\ndownloaded 200.0 MB in 2.5 s\n".replace("\n",
        System.lineSeparator())), s);
  }

  @Test
  void logsGetALineAtTheStartAndOneAtTheEndOnly() {
    DownloadProgress p = DownloadProgress.lines(new PrintWriter(out));
    p.started("http://h/models/r-1234abcd.pth", "/c/r-1234abcd.pth", 3_000_000);
    p.advanced(1_000_000, 3_000_000);
    p.advanced(3_000_000, 3_000_000);
    p.finished(3_000_000, 0.5);
    String s = out.toString();
    assertFalse(s.contains("\r"), s);
    assertEquals(2, s.lines().count(), s);
    assertEquals("downloaded 3.0 MB in 0.5 s", s.lines().toList().get(1));
  }

  @Test
  void anInterruptedBarEndsItsLineSoTheErrorStartsOnANewOne() {
    DownloadProgress p = DownloadProgress.bar(new PrintWriter(out));
    p.started("u", "f", 100);
    p.advanced(40, 100);
    p.failed();
    assertTrue(out.toString().endsWith("f  40% [############                  ] 0.0 MB / 0.0 MB"
        + System.lineSeparator()), out.toString());
  }
}
