package io.mepsidecar.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's serving app: a plain HTTP service that knows nothing about Kafka. {@code POST /get-quote} with
 * {@code {"symbol":"ACME"}} answers a JSON quote; an unknown body is a 400, as any real app would answer.
 */
final class QuoteApp implements AutoCloseable {

    private static final Pattern SYMBOL = Pattern.compile("\"symbol\"\\s*:\\s*\"([A-Za-z]{1,8})\"");

    private final HttpServer server;

    private QuoteApp(HttpServer server) {
        this.server = server;
    }

    static QuoteApp start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        QuoteApp app = new QuoteApp(server);
        server.createContext("/get-quote", QuoteApp::quote);
        server.start();
        return app;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void quote(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            Matcher symbol = SYMBOL.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (!symbol.find()) {
                respond(exchange, 400, "{\"error\":\"send {\\\"symbol\\\":\\\"ACME\\\"}\"}");
                return;
            }
            String name = symbol.group(1).toUpperCase(Locale.ROOT);
            double price = 10 + Math.floorMod(name.hashCode(), 9000) / 100.0;
            respond(exchange, 200, String.format(Locale.ROOT,
                    "{\"symbol\":\"%s\",\"price\":%.2f,\"correlationId\":\"%s\"}", name, price,
                    exchange.getRequestHeaders().getFirst("Mep-Correlation-Id")));
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
