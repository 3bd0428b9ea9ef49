package io.resnetspark.job.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.resnetspark.job.testing.DelayingProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The latency proxy: every request waits the delay, connections are kept, requests of others run in parallel. */
class DelayingProxyTest {
  HttpServer upstream;
  final ExecutorService handlers = Executors.newCachedThreadPool();
  final Set<Integer> upstreamClientPorts = ConcurrentHashMap.newKeySet();
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void upstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/", exchange -> {
      upstreamClientPorts.add(exchange.getRemoteAddress().getPort());
      byte[] body = ("you asked for " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    upstream.setExecutor(handlers);
    upstream.start();
  }

  @AfterEach
  void stop() {
    upstream.stop(0);
    handlers.shutdownNow();
  }

  URI upstreamUri() {
    return URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
  }

  HttpResponse<String> get(DelayingProxy proxy, String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(proxy.endpoint().resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyRequestOnAKeptConnectionWaitsTheDelay() throws Exception {
    try (DelayingProxy proxy = DelayingProxy.start(upstreamUri(), Duration.ofMillis(100))) {
      for (int i = 0; i < 4; i++) {
        long start = System.nanoTime();
        HttpResponse<String> response = get(proxy, "/bucket/key-" + i);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("you asked for /bucket/key-" + i, response.body());
        assertTrue(millis >= 100, "request " + i + " took " + millis + " ms");
      }
      assertEquals(4, proxy.requests());
      assertEquals(1, upstreamClientPorts.size(), "one kept connection, delayed per request: " + upstreamClientPorts);
    }
  }

  @Test
  void requestsOnSeparateConnectionsWaitInParallel() {
    try (DelayingProxy proxy = DelayingProxy.start(upstreamUri(), Duration.ofMillis(300))) {
      long start = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> responses = IntStream.range(0, 8)
          .mapToObj(i -> client.sendAsync(HttpRequest.newBuilder(proxy.endpoint().resolve("/k" + i)).build(),
              HttpResponse.BodyHandlers.ofString()))
          .toList();
      responses.forEach(r -> assertEquals(200, r.join().statusCode()));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= 300 && millis < 8 * 300, "8 requests of 300 ms at once took " + millis + " ms");
    }
  }

  @Test
  void chosenRequestsAreAnsweredWithAServerErrorAndOthersPassThrough() throws Exception {
    try (DelayingProxy proxy = DelayingProxy.start(upstreamUri(), Duration.ZERO,
        requestLine -> requestLine.startsWith("GET /bucket/bad"))) {
      HttpResponse<String> failed = get(proxy, "/bucket/bad.jpg");
      assertEquals(500, failed.statusCode());
      assertTrue(failed.body().contains("InternalError"), failed.body());
      assertEquals("you asked for /bucket/good.jpg", get(proxy, "/bucket/good.jpg").body());
      assertEquals(2, proxy.requests());
      assertEquals(1, proxy.failed());
    }
  }
}
