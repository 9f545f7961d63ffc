package io.mepsidecar.injector;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** The plain-HTTP management endpoints: {@code /livez}, {@code /readyz}, {@code /metrics} (GET only). */
final class ManagementHandler implements HttpHandler {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final InjectorMetrics metrics;
    private final BooleanSupplier ready;

    ManagementHandler(InjectorMetrics metrics, BooleanSupplier ready) {
        this.metrics = metrics;
        this.ready = ready;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                HttpExchanges.sendText(exchange, 405, "method not allowed: use GET\n");
            } else if ("/livez".equals(path)) {
                HttpExchanges.sendText(exchange, 200, "ok\n");
            } else if ("/readyz".equals(path)) {
                boolean up = ready.getAsBoolean();
                HttpExchanges.sendText(exchange, up ? 200 : 503, up ? "ok\n" : "not ready\n");
            } else if ("/metrics".equals(path)) {
                HttpExchanges.send(exchange, 200, PROMETHEUS_TEXT, metrics.scrape().getBytes(StandardCharsets.UTF_8));
            } else {
                HttpExchanges.sendText(exchange, 404, "not found: /livez, /readyz or /metrics\n");
            }
        }
    }
}
