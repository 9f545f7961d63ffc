package io.mepsidecar.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP app on 127.0.0.1, the kind of app a sidecar serves. Paths:
 * <ul>
 * <li>{@code /echo}: 200 with the request's body and content type;</li>
 * <li>{@code /status}: body {@code "<status> <text>"} answers that status with {@code text} as text/plain;</li>
 * <li>{@code /slow}: holds the request until {@link #releaseSlow()} (at most 30 s), then echoes;</li>
 * <li>{@code /echo-later}: answers 202 at once, then PUTs the echo to its sidecar's {@code /v1/replies/{id}} (the
 * asynchronous service style);</li>
 * <li>{@code /accept-only}: answers 202 and never replies;</li>
 * <li>{@code /flaky/...}: 503 on the first request of each correlation id, 204 after;</li>
 * <li>{@code /place-order}: first invokes the one-way {@code order-confirmed} on its sidecar with the same body
 * (a duplex callback contract), then echoes;</li>
 * <li>{@code /traced}: echoes, answering with its own W3C trace context: a {@code traceparent} of the request's
 * trace id and parent id {@link #APP_SPAN_ID}, and {@code tracestate} {@link #APP_TRACESTATE};</li>
 * <li>{@code /traced-later}: as {@code /echo-later}, the PUT carrying the app's own trace context as {@code /traced}
 * answers with;</li>
 * <li>{@code /health}: 200, or 503 after {@link #healthy(boolean) healthy(false)};</li>
 * <li>{@code /work} and {@code /stuck-event}: works for the number of milliseconds the body starts with (default 20;
 * a word after a space, such as a call's own token, is left alone), then
 * echoes; every execution is entered in the {@link Ledger}, shared by all apps of the JVM, which notices a request at
 * two apps at once;</li>
 * <li>anything else: echoes (and records the request, e.g. a completion callback).</li>
 * </ul>
 * Every request is recorded with its headers, so tests can check what the app saw.
 */
public final class TestApp implements AutoCloseable {

    /** A request as the app received it. */
    /** A request of this content type is answered with a body that never ends ({@link #respondEndlessly}). */
    public static final String ENDLESS = "application/x-endless";
    /** A request of this content type is answered with less body than its {@code Content-Length} promised. */
    public static final String BROKEN = "application/x-broken";
    /** The span id {@code /traced} names as its own in the {@code traceparent} it answers with. */
    public static final String APP_SPAN_ID = "00f067aa0ba902b7";
    /** The {@code tracestate} {@code /traced} answers with. */
    public static final String APP_TRACESTATE = "app=answered";
    private static final long ENDLESS_LIMIT = 512L * 1024 * 1024;
    private final List<Long> endlessWritten = new java.util.concurrent.CopyOnWriteArrayList<>();

    public record Received(String path, com.sun.net.httpserver.Headers headers, byte[] body) {

        public String header(String name) {
            return headers.getFirst(name);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(64);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch slowGate = new CountDownLatch(1);
    private volatile boolean holdingSlow = true;
    private volatile boolean healthy = true;
    private volatile String sidecarUrl;
    private final AtomicInteger slowNow = new AtomicInteger();
    private final AtomicInteger slowMax = new AtomicInteger();
    private final Set<String> flakyFailed = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newHttpClient();

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
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Received> received() {
        return received;
    }

    public Optional<Received> receivedWith(String header, String value) {
        return received.stream().filter(r -> value.equals(r.header(header))).findFirst();
    }

    /** The sidecar this app calls for {@code /echo-later} and {@code /place-order}. */
    public void sidecarUrl(String url) {
        this.sidecarUrl = url.replaceAll("/+$", "");
    }

    /** What {@code /health} answers: 200 when healthy, 503 when not. */
    public void healthy(boolean healthy) {
        this.healthy = healthy;
    }

    /** With false, {@code /slow} answers at once instead of holding; true again restores holding. */
    public void holdSlow(boolean holding) {
        this.holdingSlow = holding;
        if (!holding) {
            releaseSlow();
        }
    }

    /** The most {@code /slow} requests held at once since the last {@link #resetSlowMax()}. */
    public int slowMax() {
        return slowMax.get();
    }

    /** {@code /slow} requests being held right now. */
    public int slowNow() {
        return slowNow.get();
    }

    public void resetSlowMax() {
        slowMax.set(slowNow.get());
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
                    int now = slowNow.incrementAndGet();
                    slowMax.accumulateAndGet(now, Math::max);
                    try {
                        awaitRelease();
                    } finally {
                        slowNow.decrementAndGet();
                    }
                    respond(exchange, 200, exchange.getRequestHeaders().getFirst("Content-Type"), body);
                    break;
                case "/echo-later":
                case "/traced-later":
                    String correlationId = exchange.getRequestHeaders().getFirst("Mep-Correlation-Id");
                    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
                    Map<String, String> trace = path.equals("/traced-later")
                            ? ownTrace(exchange.getRequestHeaders().getFirst("traceparent")) : Map.of();
                    respond(exchange, 202, null, new byte[0]);
                    executor.execute(() -> put(correlationId, contentType, body, trace));
                    break;
                case "/traced":
                    ownTrace(exchange.getRequestHeaders().getFirst("traceparent"))
                            .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                    respond(exchange, 200, exchange.getRequestHeaders().getFirst("Content-Type"), body);
                    break;
                case "/health":
                    respond(exchange, healthy ? 200 : 503, "text/plain", (healthy ? "UP" : "DOWN").getBytes());
                    break;
                case "/work":
                case "/stuck-event":
                    String id = exchange.getRequestHeaders().getFirst("Mep-Correlation-Id");
                    Ledger.started(id);
                    try {
                        pause(Ledger.workMillis(body));
                    } finally {
                        Ledger.ended(id);
                    }
                    respond(exchange, 200, exchange.getRequestHeaders().getFirst("Content-Type"), body);
                    break;
                case "/accept-only":
                    respond(exchange, 202, null, new byte[0]);
                    break;
                case "/place-order":
                    int confirmed = invoke("order-confirmed", exchange.getRequestHeaders().getFirst("Content-Type"),
                            body);
                    respond(exchange, confirmed == 202 ? 200 : 500,
                            exchange.getRequestHeaders().getFirst("Content-Type"), body);
                    break;
                default:
                    String type = exchange.getRequestHeaders().getFirst("Content-Type");
                    if (type != null && type.startsWith(ENDLESS)) {
                        respondEndlessly(exchange);
                    } else if (type != null && type.startsWith(BROKEN)) {
                        exchange.sendResponseHeaders(200, 100); // promises 100 bytes, sends 5 and hangs up
                        exchange.getResponseBody().write("short".getBytes(StandardCharsets.US_ASCII));
                    } else if (path.startsWith("/flaky/")
                            && flakyFailed.add(exchange.getRequestHeaders().getFirst("Mep-Correlation-Id"))) {
                        respond(exchange, 503, null, new byte[0]);
                    } else {
                        respond(exchange, 200, exchange.getRequestHeaders().getFirst("Content-Type"), body);
                    }
            }
        }
    }

    /**
     * The app's own trace context for a request that carried {@code traceparent}: the same trace, parent
     * {@link #APP_SPAN_ID}, tracestate {@link #APP_TRACESTATE}. Empty without one.
     */
    private static Map<String, String> ownTrace(String traceparent) {
        if (traceparent == null || traceparent.length() != 55) {
            return Map.of();
        }
        return Map.of("traceparent", traceparent.substring(0, 36) + APP_SPAN_ID + traceparent.substring(52),
                "tracestate", APP_TRACESTATE);
    }

    /** PUTs the reply of an asynchronously served request to the sidecar, as an async app does. */
    private void put(String correlationId, String contentType, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sidecarUrl + "/v1/replies/" + correlationId))
                .header("Content-Type", contentType == null ? "application/octet-stream" : contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        send(request.build());
    }

    private int invoke(String operation, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(sidecarUrl + "/v1/invoke/" + operation))
                .header("Content-Type", contentType == null ? "application/octet-stream" : contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private int send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static void pause(long millis) {
        try {
            new CountDownLatch(1).await(millis, TimeUnit.MILLISECONDS); // the app's own work, not a test wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitRelease() {
        if (!holdingSlow) {
            return;
        }
        try {
            slowGate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A body of {@link #ENDLESS_LIMIT} bytes, chunked, for a request of content type {@link #ENDLESS}: more than any
     * sidecar may hold. Stops quietly when the reader hangs up.
     */
    private void respondEndlessly(HttpExchange exchange) {
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        try {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                while (written < ENDLESS_LIMIT) {
                    out.write(chunk);
                    written += chunk.length;
                }
            }
        } catch (IOException e) {
            // the sidecar stopped reading: that is what the test wants to see
        }
        endlessWritten.add(written);
    }

    /** How many bytes each answer to an {@link #ENDLESS} request got written before its reader hung up. */
    public List<Long> endlessWritten() {
        return List.copyOf(endlessWritten);
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
