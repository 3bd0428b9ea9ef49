package io.resnetspark.model.pretrained;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP GET of a checkpoint into a file, hashing it as it arrives. Both waits are bounded: the connection by
 * the client's connect timeout, and the transfer by a read timeout that ends it when no byte has arrived for that
 * long (the JDK client bounds only the wait for the response headers, so the body is watched here).
 */
final class CheckpointDownload {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 100;

  private final HttpClient client;
  private final Duration connectTimeout;
  private final Duration readTimeout;

  CheckpointDownload(Duration connectTimeout, Duration readTimeout) {
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.client = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  /** What arrived: its size and SHA-256 (lower-case hex). */
  record Fetched(long bytes, String sha256) {
  }

  /** A download that did not complete; the message is a short reason, e.g. "HTTP 404". */
  static final class Failure extends IOException {
    Failure(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  /**
   * Writes the body of {@code uri} to {@code file} (created or truncated); {@code destination} is where the file
   * will be once verified, as the progress shows it.
   *
   * @throws Failure if the server cannot be reached, answers other than 200, stalls, or ends the transfer early
   */
  Fetched fetch(URI uri, Path file, Path destination, DownloadProgress progress) throws Failure {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(readTimeout).GET().build();
    AtomicLong received = new AtomicLong();
    HashingSubscriber[] body = new HashingSubscriber[1];
    long[] expectedLength = {-1};
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<Path>> response = client.sendAsync(request, info -> {
      if (info.statusCode() != 200) {
        return BodySubscribers.replacing(null);
      }
      expectedLength[0] = info.headers().firstValueAsLong("content-length").orElse(-1);
      progress.started(uri.toString(), destination.toString(), expectedLength[0]);
      body[0] = new HashingSubscriber(BodySubscribers.ofFile(file), received, expectedLength[0], progress);
      return body[0];
    });
    HttpResponse<Path> done = await(uri, response, received, body);
    if (done.statusCode() != 200) {
      throw new Failure("HTTP " + done.statusCode(), null);
    }
    long bytes = received.get();
    if (expectedLength[0] >= 0 && bytes != expectedLength[0]) {
      progress.failed();
      throw new Failure("the transfer ended after " + bytes + " of " + expectedLength[0] + " bytes", null);
    }
    progress.finished(bytes, (System.nanoTime() - start) / 1e9);
    return new Fetched(bytes, HexFormat.of().formatHex(body[0].digest.digest()));
  }

  /** Waits for the response while bytes keep arriving; gives up after the read timeout without any. */
  private HttpResponse<Path> await(URI uri, CompletableFuture<HttpResponse<Path>> response, AtomicLong received,
                                   HashingSubscriber[] body) throws Failure {
    long lastCount = 0;
    long lastChange = System.nanoTime();
    while (true) {
      try {
        return response.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        long count = received.get();
        if (count != lastCount) {
          lastCount = count;
          lastChange = System.nanoTime();
        } else if (System.nanoTime() - lastChange > readTimeout.toNanos()) {
          response.cancel(true);
          if (body[0] != null) {
            body[0].cancel();
            body[0].progress.failed();
          }
          throw new Failure(count == 0 ? "no answer within " + seconds(readTimeout)
              : "no data for " + seconds(readTimeout) + " after " + count + " bytes", null);
        }
      } catch (InterruptedException e) {
        response.cancel(true);
        Thread.currentThread().interrupt();
        throw new Failure("interrupted", e);
      } catch (ExecutionException e) {
        if (body[0] != null) {
          body[0].progress.failed();
        }
        throw new Failure(reason(uri, e.getCause(), received.get()), e.getCause());
      }
    }
  }

  private String reason(URI uri, Throwable cause, long received) {
    if (cause instanceof HttpConnectTimeoutException) {
      return "no connection within " + seconds(connectTimeout);
    }
    if (cause instanceof HttpTimeoutException) {
      return "no answer within " + seconds(readTimeout);
    }
    if (cause instanceof ConnectException && cause.getCause() instanceof UnresolvedAddressException) {
      return "unknown host " + uri.getHost() + ": no network or no DNS";
    }
    if (cause instanceof ConnectException) {
      Throwable root = cause.getCause() != null ? cause.getCause() : cause;
      String detail = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
      return "cannot connect: " + detail;
    }
    String message = cause.getMessage() != null ? cause.getMessage().lines().findFirst().orElse("")
        : cause.getClass().getSimpleName();
    return received > 0 ? "the transfer broke off after " + received + " bytes: " + message : message;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** Passes the body to the file writer, hashing and counting it on the way. */
  private static final class HashingSubscriber implements BodySubscriber<Path> {
    final BodySubscriber<Path> file;
    final MessageDigest digest;
    final AtomicLong received;
    final long totalBytes;
    final DownloadProgress progress;
    private volatile Flow.Subscription subscription;

    HashingSubscriber(BodySubscriber<Path> file, AtomicLong received, long totalBytes, DownloadProgress progress) {
      this.file = file;
      this.received = received;
      this.totalBytes = totalBytes;
      this.progress = progress;
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has SHA-256", e);
      }
    }

    @Override
    public CompletionStage<Path> getBody() {
      return file.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      file.onSubscribe(s);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      long n = 0;
      for (ByteBuffer b : items) {
        n += b.remaining();
        digest.update(b.duplicate());
      }
      progress.advanced(received.addAndGet(n), totalBytes);
      file.onNext(items);
    }

    @Override
    public void onError(Throwable throwable) {
      file.onError(throwable);
    }

    @Override
    public void onComplete() {
      file.onComplete();
    }

    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
