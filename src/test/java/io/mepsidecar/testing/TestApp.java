package io.mepsidecar.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP app on 127.0.0.1, the kind of app a sidecar serves. Paths:
 * <ul>
 * <li>{@code /echo}: 200 with the request's body and content type;</li>
 * <li>{@code /status}: body {@code "<status> <text>"} answers that status with {@code text} as text/plain;</li>
 * <li>{@code /slow}: holds the request until {@link #releaseSlow()} (at most 30 s), then echoes.</li>
 * </ul>
 * Every request is recorded with its headers, so tests can check what the app saw.
 */
public final class TestApp implements AutoCloseable {

    /** A request as the app received it. */
    public record Received(String path, com.sun.net.httpserver.Headers headers, byte[] body) {

        public String header(String name) {
            return headers.getFirst(name);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(64);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch slowGate = new CountDownLatch(1);

    private TestApp(HttpServer server) {
        this.server = server;
    }

    public static TestApp start() {
        return start(0);
    }

    /** Starts on the given port of 127.0.0.1 (0: any free port). */
    public static TestApp start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            TestApp app = new TestApp(server);
            server.createContext("/", app::handle);
            server.setExecutor(app.executor);
            server.start();
            return app;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test app", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Received> received() {
        return received;
    }

    public Optional<Received> receivedWith(String header, String value) {
        return received.stream().filter(r -> value.equals(r.header(header))).findFirst();
    }

    /** Lets every held {@code /slow} request answer; later ones are held again. */
    public void releaseSlow() {
        CountDownLatch gate = slowGate;
        slowGate = new CountDownLatch(1);
        gate.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = exchange.getRequestURI().getPath();
            received.add(new Received(path, exchange.getRequestHeaders(), body));
            switch (path) {
                case "/status":
                    String[] parts = new String(body, StandardCharsets.UTF_8).split(" ", 2);
                    respond(exchange, Integer.parseInt(parts[0]), "text/plain;charset=UTF-8",
                            (parts.length > 1 ? parts[1] : "").getBytes(StandardCharsets.UTF_8));
                    break;
                case "/slow":
                    awaitRelease();
                    respond(exchange, 200, exchange.getRequestHeaders().getFirst("Content-Type"), body);
                    break;
                default:
                    respond(exchange, 200, exchange.getRequestHeaders().getFirst("Content-Type"), body);
            }
        }
    }

    private void awaitRelease() {
        try {
            slowGate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
            throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().add("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        releaseSlow();
        server.stop(0);
        executor.shutdownNow();
    }
}
