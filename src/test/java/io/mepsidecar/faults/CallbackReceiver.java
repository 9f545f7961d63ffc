package io.mepsidecar.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The calling app's completion-callback endpoint, on 127.0.0.1: every caller sidecar of the suite has it as its
 * {@code MEP_APP_URL} and POSTs the result of each asynchronous call to {@link #PATH}. It takes every callback with
 * 204 and keeps the status ({@code Mep-Status}) of each correlation id it was told about.
 */
final class CallbackReceiver implements AutoCloseable {

    static final String PATH = "/callbacks";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();

    private CallbackReceiver(HttpServer server) {
        this.server = server;
    }

    static CallbackReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            CallbackReceiver receiver = new CallbackReceiver(server);
            server.createContext(PATH, receiver::handle);
            server.setExecutor(receiver.executor);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the callback receiver", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The result status a callback brought for this correlation id, if one came. */
    OptionalInt status(String correlationId) {
        Integer status = statuses.get(correlationId);
        return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            String id = exchange.getRequestHeaders().getFirst("Mep-Correlation-Id");
            if (id != null) {
                statuses.put(id, parseStatus(exchange.getRequestHeaders().getFirst("Mep-Status")));
            }
            exchange.sendResponseHeaders(204, -1);
        }
    }

    private static int parseStatus(String status) {
        try {
            return Integer.parseInt(status);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
