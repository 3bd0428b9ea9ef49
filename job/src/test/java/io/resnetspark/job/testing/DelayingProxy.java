package io.resnetspark.job.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A TCP proxy on 127.0.0.1 in front of an HTTP/1.1 server (the test S3 server) that makes the loopback path behave
 * like a network with latency: it holds each request's first bytes for a fixed delay before forwarding them, so
 * every request (not only every connection) pays it, as a GET to S3 pays its first-byte latency. Connections are
 * kept alive as the client wants; each gets its own pair of forwarding threads, so requests on different connections
 * wait in parallel.
 *
 * <p>A request starts when the client sends bytes after the server has answered (or on a new connection); that is
 * HTTP/1.1 without pipelining and without {@code Expect: 100-continue}, which is how clients read objects.
 *
 * <p>A request whose request line (e.g. {@code GET /bucket/key HTTP/1.1}) the {@code failing} predicate accepts is
 * not forwarded: the proxy answers it with {@code 500 Internal Server Error} and closes the connection, as an
 * overloaded store would.
 */
public final class DelayingProxy implements AutoCloseable {
    private static final int MAX_REQUEST_LINE = 16 * 1024;
    private static final byte[] FAILURE_BODY =
            "<Error><Code>InternalError</Code><Message>failed by the test proxy</Message></Error>"
                    .getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress upstream;
    private final long delayNanos;
    private final Predicate<String> failing;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile boolean closed;

    private DelayingProxy(URI upstream, Duration delay, Predicate<String> failing) throws IOException {
        this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
        this.delayNanos = delay.toNanos();
        this.failing = failing;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "delaying-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy that delays every request to {@code upstream} (an http:// endpoint) by {@code delay}. */
    public static DelayingProxy start(URI upstream, Duration delay) {
        return start(upstream, delay, requestLine -> false);
    }

    /** The same, answering 500 to the requests whose request line {@code failing} accepts. */
    public static DelayingProxy start(URI upstream, Duration delay, Predicate<String> failing) {
        try {
            return new DelayingProxy(upstream, delay, failing);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the proxy's port", e);
        }
    }

    /** Where clients connect instead of the upstream server. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Requests seen so far, failed ones included. */
    public int requests() {
        return requests.get();
    }

    /** Requests answered with 500 so far. */
    public int failed() {
        return failed.get();
    }

    /** Closes the port and every connection; forwarding threads end with their sockets. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        sockets.forEach(DelayingProxy::closeQuietly);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(client);
            Thread connection = new Thread(() -> connect(client), "delaying-proxy-conn");
            connection.setDaemon(true);
            connection.start();
        }
    }

    private void connect(Socket client) {
        Socket server;
        try {
            server = new Socket(upstream.getAddress(), upstream.getPort());
        } catch (IOException e) {
            closeQuietly(client);
            sockets.remove(client);
            return;
        }
        sockets.add(server);
        Exchange exchange = new Exchange(client, server);
        Thread responses = new Thread(exchange::forwardResponses, "delaying-proxy-responses");
        responses.setDaemon(true);
        responses.start();
        exchange.forwardRequests();
    }

    /** One client connection and its upstream connection. */
    private final class Exchange {
        private final Socket client;
        private final Socket server;
        /** Set when the server has sent bytes: the client's next bytes start a new request. */
        private volatile boolean answered = true;

        Exchange(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void forwardRequests() {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = client.getInputStream();
                OutputStream out = server.getOutputStream();
                ByteArrayOutputStream head = null;
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (answered && head == null) {
                        answered = false;
                        head = new ByteArrayOutputStream();
                    }
                    if (head != null) {
                        head.write(buffer, 0, n);
                        String received = head.toString(StandardCharsets.ISO_8859_1);
                        int end = received.indexOf("\r\n");
                        if (end < 0 && head.size() < MAX_REQUEST_LINE) {
                            continue;
                        }
                        String requestLine = end < 0 ? received : received.substring(0, end);
                        requests.incrementAndGet();
                        if (failing.test(requestLine)) {
                            failed.incrementAndGet();
                            fail();
                            return;
                        }
                        sleep(delayNanos);
                        out.write(head.toByteArray());
                        out.flush();
                        head = null;
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
                // The client is done sending; the server's answer still flows back until it closes.
                server.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                closeBoth();
            }
        }

        void forwardResponses() {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = server.getInputStream();
                OutputStream out = client.getOutputStream();
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answered = true;
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // Either side went away: the connection is over.
            } finally {
                closeBoth();
            }
        }

        private void fail() throws IOException {
            String head = "HTTP/1.1 500 Internal Server Error\r\n"
                    + "Content-Type: application/xml\r\n"
                    + "Content-Length: " + FAILURE_BODY.length + "\r\n"
                    + "Connection: close\r\n\r\n";
            OutputStream out = client.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(FAILURE_BODY);
            out.flush();
            closeBoth();
        }

        private void closeBoth() {
            closeQuietly(client);
            closeQuietly(server);
            sockets.remove(client);
            sockets.remove(server);
        }
    }

    private static void sleep(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing is best effort: the peer may have gone already.
        }
    }
}
