package io.resnetspark.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One GET: the bytes and their SHA-256 as they arrive, or a short reason why not. */
class CheckpointDownloadTest {
  @TempDir
  Path dir;

  CheckpointServer server;
  CheckpointDownload download = new CheckpointDownload(Duration.ofSeconds(2), Duration.ofSeconds(3));
  DownloadProgress progress = DownloadProgress.lines(new PrintWriter(new StringWriter()));

  @BeforeEach
  void startServer() throws IOException {
    server = CheckpointServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void theBodyIsWrittenAndHashedOnTheWay() throws IOException {
    byte[] body = TestCheckpoints.resnet18();
    server.put("r.pth", body);
    Path file = dir.resolve("r.part");
    CheckpointDownload.Fetched fetched = download.fetch(URI.create(server.baseUrl() + "r.pth"), file,
        dir.resolve("r.pth"), progress);
    assertEquals(body.length, fetched.bytes());
    assertEquals(TestCheckpoints.sha256(body), fetched.sha256());
    assertArrayEquals(body, Files.readAllBytes(file));
  }

  @Test
  void anHttpErrorIsItsStatus() {
    CheckpointDownload.Failure f = assertThrows(CheckpointDownload.Failure.class,
        () -> download.fetch(URI.create(server.baseUrl() + "missing.pth"), dir.resolve("m.part"),
            dir.resolve("m.pth"), progress));
    assertEquals("HTTP 404", f.getMessage());
  }

  @Test
  void aBodyCutShortIsAFailureNotACompleteFile() {
    server.put("r.pth", new byte[1 << 20], CheckpointServer.Behaviour.TRUNCATE);
    CheckpointDownload.Failure f = assertThrows(CheckpointDownload.Failure.class,
        () -> download.fetch(URI.create(server.baseUrl() + "r.pth"), dir.resolve("r.part"), dir.resolve("r.pth"),
            progress));
    assertTrue(f.getMessage().contains("broke off") || f.getMessage().contains("ended after"), f.getMessage());
  }

  @Test
  void aRefusedConnectionSaysSo() throws IOException {
    URI uri = URI.create("http://127.0.0.1:" + CheckpointServer.closedPort() + "/models/r.pth");
    CheckpointDownload.Failure f = assertThrows(CheckpointDownload.Failure.class,
        () -> download.fetch(uri, dir.resolve("r.part"), dir.resolve("r.pth"), progress));
    assertTrue(f.getMessage().startsWith("cannot connect"), f.getMessage());
  }

  @Test
  void aHostThatDoesNotResolveIsNamed() {
    // .invalid never resolves (RFC 2606), so this needs no network and reaches none.
    URI uri = URI.create("http://weights.invalid/models/r.pth");
    CheckpointDownload.Failure f = assertThrows(CheckpointDownload.Failure.class,
        () -> download.fetch(uri, dir.resolve("r.part"), dir.resolve("r.pth"), progress));
    assertEquals("unknown host weights.invalid: no network or no DNS", f.getMessage());
  }
}
