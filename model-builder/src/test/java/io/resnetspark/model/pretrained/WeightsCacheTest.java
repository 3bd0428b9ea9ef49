package io.resnetspark.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.weights.CheckpointLoader;
import io.resnetspark.model.weights.FormulaWeights;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a published checkpoint comes from, and that nothing unverified is ever used or kept: the project's cache,
 * torch's cache, or a download from torchvision's folder (here a mirror on 127.0.0.1 named by
 * {@code RESNET_SPARK_WEIGHTS_URL}).
 */
class WeightsCacheTest {
  static final Duration CONNECT = Duration.ofSeconds(2);
  static final Duration READ = Duration.ofSeconds(3);

  @TempDir
  Path home;

  CheckpointServer server;
  StringWriter log = new StringWriter();
  byte[] checkpoint = TestCheckpoints.resnet18();
  String fileName = TestCheckpoints.torchvisionName(checkpoint);

  @BeforeEach
  void startServer() throws IOException {
    server = CheckpointServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  WeightsCache cache(Map<String, String> env) {
    return new WeightsCache(WeightsLocations.from(Environment.of(env, home)), DownloadProgress.lines(
        new PrintWriter(log, true)), CONNECT, READ);
  }

  WeightsCache cacheUsingTheMirror() {
    return cache(Map.of(WeightsLocations.MIRROR_VARIABLE, server.baseUrl()));
  }

  Path cacheDir() {
    return home.resolve(".cache/resnet-spark/weights");
  }

  List<Path> filesIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void aGoodDownloadLandsInTheEmptyCacheAndLoadsAsACheckpoint() throws IOException {
    server.put(fileName, checkpoint);
    Path file = cacheUsingTheMirror().checkpoint(fileName);
    assertEquals(cacheDir().resolve(fileName), file);
    assertArrayEquals(checkpoint, Files.readAllBytes(file));
    assertEquals(List.of(file), filesIn(cacheDir()), "no temporary file is left beside it");
    assertEquals(List.of(CheckpointServer.FOLDER + fileName), server.requests());
    assertEquals(FormulaWeights.create(Architecture.RESNET18, 10).keys(),
        CheckpointLoader.load(file).stateDict().keys());
    assertTrue(log.toString().startsWith("downloading " + server.baseUrl() + fileName + " (" + String.format(
        Locale.ROOT, "%.1f MB", checkpoint.length / 1e6) + ") to " + file), log.toString());
    assertTrue(log.toString().contains("downloaded "), log.toString());
  }

  @Test
  void aSecondUseTakesTheCachedFileWithoutARequest() throws IOException {
    server.put(fileName, checkpoint);
    Path first = cacheUsingTheMirror().checkpoint(fileName);
    Path second = cacheUsingTheMirror().checkpoint(fileName);
    assertEquals(first, second);
    assertEquals(1, server.requests().size(), server.requests().toString());
  }

  @Test
  void theCacheFollowsResnetSparkCacheDir() throws IOException {
    server.put(fileName, checkpoint);
    Path custom = home.resolve("elsewhere");
    Path file = cache(Map.of(WeightsLocations.MIRROR_VARIABLE, server.baseUrl(),
        WeightsLocations.CACHE_DIR_VARIABLE, custom.toString())).checkpoint(fileName);
    assertEquals(custom.resolve("weights").resolve(fileName), file);
  }

  @Test
  void aTamperedDownloadIsRefusedNamingBothDigestsAndNothingIsKept() {
    byte[] tampered = checkpoint.clone();
    tampered[tampered.length / 2] ^= 1;
    server.put(fileName, tampered);
    WeightsFetchException e = assertThrows(WeightsFetchException.class,
        () -> cacheUsingTheMirror().checkpoint(fileName));
    String expectedPrefix = fileName.substring("resnet18-".length(), fileName.length() - ".pth".length());
    assertTrue(e.getMessage().contains(TestCheckpoints.sha256(tampered)), e.getMessage());
    assertTrue(e.getMessage().contains("begins with " + expectedPrefix), e.getMessage());
    assertTrue(e.getMessage().contains("nothing kept"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    assertDoesNotThrowIo(() -> assertEquals(List.of(), filesIn(cacheDir())));
  }

  @Test
  void aTamperedCachedFileIsRefusedAndDeleted() throws IOException {
    Files.createDirectories(cacheDir());
    byte[] tampered = checkpoint.clone();
    tampered[100] ^= 1;
    Files.write(cacheDir().resolve(fileName), tampered);
    WeightsFetchException e = assertThrows(WeightsFetchException.class,
        () -> cacheUsingTheMirror().checkpoint(fileName));
    assertTrue(e.getMessage().contains(TestCheckpoints.sha256(tampered)), e.getMessage());
    assertFalse(Files.exists(cacheDir().resolve(fileName)));
    assertEquals(List.of(), server.requests(), "a cached file is checked, not downloaded again on the spot");
  }

  @Test
  void aTruncatedTransferFailsAndLeavesNoFileThatLooksComplete() {
    server.put(fileName, checkpoint, CheckpointServer.Behaviour.TRUNCATE);
    WeightsFetchException e = assertThrows(WeightsFetchException.class,
        () -> cacheUsingTheMirror().checkpoint(fileName));
    assertTrue(e.getMessage().startsWith("cannot download " + server.baseUrl() + fileName), e.getMessage());
    assertDoesNotThrowIo(() -> assertEquals(List.of(), filesIn(cacheDir())));
  }

  @Test
  void aTransferThatStallsEndsAfterTheReadTimeout() {
    server.put(fileName, checkpoint, CheckpointServer.Behaviour.STALL);
    long start = System.nanoTime();
    WeightsFetchException e = assertThrows(WeightsFetchException.class,
        () -> cacheUsingTheMirror().checkpoint(fileName));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(seconds < READ.toSeconds() + 4, "gave up after " + seconds + " s");
    assertTrue(e.getMessage().contains("no data for 3 s"), e.getMessage());
    assertDoesNotThrowIo(() -> assertEquals(List.of(), filesIn(cacheDir())));
  }

  @Test
  void a404NamesTheUrlTheCachePathAndTheMirrorVariable() {
    WeightsFetchException e = assertThrows(WeightsFetchException.class,
        () -> cacheUsingTheMirror().checkpoint(fileName));
    assertEquals("cannot download " + server.baseUrl() + fileName + " (HTTP 404); put the file at "
        + cacheDir().resolve(fileName) + " by hand, or set RESNET_SPARK_WEIGHTS_URL to the URL of a mirror of "
        + "torchvision's models/ folder", e.getMessage());
  }

  @Test
  void aServerThatNeverAnswersIsGivenUpOnInBoundedTime() throws IOException {
    try (ServerSocket silent = CheckpointServer.silentListener()) {
      String url = "http://127.0.0.1:" + silent.getLocalPort() + "/models/";
      long start = System.nanoTime();
      WeightsFetchException e = assertThrows(WeightsFetchException.class,
          () -> cache(Map.of(WeightsLocations.MIRROR_VARIABLE, url)).checkpoint(fileName));
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(seconds >= READ.toSeconds() - 0.2 && seconds < READ.toSeconds() + 4, "gave up after " + seconds);
      assertTrue(e.getMessage().contains("no answer within 3 s"), e.getMessage());
    }
  }

  @Test
  void noNetworkIsOneLineNamingTheUrlTheCachePathAndTheMirrorVariable() throws IOException {
    String url = "http://127.0.0.1:" + CheckpointServer.closedPort() + "/models/";
    long start = System.nanoTime();
    WeightsFetchException e = assertThrows(WeightsFetchException.class,
        () -> cache(Map.of(WeightsLocations.MIRROR_VARIABLE, url)).checkpoint(fileName));
    assertTrue((System.nanoTime() - start) / 1e9 < 5, "a refused connection fails at once");
    assertEquals(1, e.getMessage().lines().count());
    assertTrue(e.getMessage().startsWith("cannot download " + url + fileName + " (cannot connect"), e.getMessage());
    assertTrue(e.getMessage().contains(cacheDir().resolve(fileName) + " by hand"), e.getMessage());
    assertTrue(e.getMessage().contains("RESNET_SPARK_WEIGHTS_URL"), e.getMessage());
  }

  @Test
  void aCopyInTorchsCacheIsUsedInPlaceWithoutARequest() throws IOException {
    Path torchHome = home.resolve("torch-home");
    Path copy = Files.createDirectories(torchHome.resolve("hub/checkpoints")).resolve(fileName);
    Files.write(copy, checkpoint);
    Path file = cache(Map.of(WeightsLocations.MIRROR_VARIABLE, server.baseUrl(),
        WeightsLocations.TORCH_HOME_VARIABLE, torchHome.toString())).checkpoint(fileName);
    assertEquals(copy, file);
    assertEquals(List.of(), server.requests());
    assertDoesNotThrowIo(() -> assertEquals(List.of(), filesIn(cacheDir())), "not copied");
  }

  @Test
  void aTamperedCopyInTorchsCacheIsRefusedButNotDeleted() throws IOException {
    Path copy = Files.createDirectories(home.resolve(".cache/torch/hub/checkpoints")).resolve(fileName);
    byte[] tampered = checkpoint.clone();
    tampered[7] ^= 1;
    Files.write(copy, tampered);
    WeightsFetchException e = assertThrows(WeightsFetchException.class,
        () -> cacheUsingTheMirror().checkpoint(fileName));
    assertTrue(e.getMessage().startsWith(copy + " has SHA-256 " + TestCheckpoints.sha256(tampered)), e.getMessage());
    assertTrue(Files.exists(copy), "torch's cache is not ours to clean");
  }

  @Test
  void withoutTheMirrorVariableTheFileComesFromTorchvisionsHost() {
    WeightsCache cache = cache(Map.of());
    assertEquals("https://download.pytorch.org/models/", cache.locations().baseUrl());
  }

  interface IoAction {
    void run() throws IOException;
  }

  static void assertDoesNotThrowIo(IoAction action) {
    assertDoesNotThrowIo(action, "");
  }

  static void assertDoesNotThrowIo(IoAction action, String message) {
    try {
      action.run();
    } catch (IOException e) {
      throw new AssertionError(message + e, e);
    }
  }
}
