package io.resnetspark.model.pretrained;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A folder laid out like torchvision's {@code models/}, served on 127.0.0.1 by the JDK's HTTP server, that records
 * every request. A file can also be served badly: cut short, or stalled half-way.
 */
public final class CheckpointServer implements AutoCloseable {
  public static final String FOLDER = "/models/";

  public enum Behaviour {
    /** The whole file with its Content-Length. */
    SERVE,
    /** The announced Content-Length, then half the bytes, then the connection closes. */
    TRUNCATE,
    /** Half the bytes, then nothing until the server is closed. */
    STALL
  }

  private record Entry(byte[] body, Behaviour behaviour) {
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Entry> files = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  private CheckpointServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static CheckpointServer start() throws IOException {
    return new CheckpointServer();
  }

  /** The folder's URL, as {@code RESNET_SPARK_WEIGHTS_URL} takes it. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + FOLDER;
  }

  public void put(String fileName, byte[] body) {
    put(fileName, body, Behaviour.SERVE);
  }

  public void put(String fileName, byte[] body, Behaviour behaviour) {
    files.put(FOLDER + fileName, new Entry(body, behaviour));
  }

  /** The paths requested so far, in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(path);
    Entry entry = files.get(path);
    try (exchange) {
      if (entry == null || !exchange.getRequestMethod().equals("GET")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.sendResponseHeaders(200, entry.body().length);
      OutputStream out = exchange.getResponseBody();
      switch (entry.behaviour()) {
        case SERVE -> out.write(entry.body());
        case TRUNCATE -> {
          out.write(entry.body(), 0, entry.body().length / 2);
          out.flush();
        }
        case STALL -> {
          out.write(entry.body(), 0, entry.body().length / 2);
          out.flush();
          closing.await(1, TimeUnit.MINUTES);
        }
        default -> throw new IllegalStateException();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // A cut-short body makes the JDK server complain on close; the client is what the tests watch.
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  /** A port that accepts connections and never says a word (the kernel completes the handshake from the backlog). */
  public static ServerSocket silentListener() throws IOException {
    return new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
  }

  /** A loopback port nothing listens on: connections are refused, as on a machine without network. */
  public static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
