package io.mepsidecar.injector;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /mutate}: an AdmissionReview in, an AdmissionReview out, always allowed. Requests that are not an
 * AdmissionReview get a 4xx; a review that cannot be answered with a patch is answered without one.
 */
final class AdmissionHandler implements HttpHandler {

    static final String PATH = "/mutate";
    /** The API server sends pods; 3 MiB is above any pod it accepts (etcd's request limit is 1.5 MiB). */
    static final int MAX_BODY_BYTES = 3 * 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(AdmissionHandler.class.getName());

    private final PodInjector injector;
    private final InjectorMetrics metrics;

    AdmissionHandler(PodInjector injector, InjectorMetrics metrics) {
        this.injector = injector;
        this.metrics = metrics;
    }

    /** Runs on a worker thread of the HTTPS server. */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                HttpExchanges.sendText(exchange, 404, "not found: the webhook is at POST " + PATH + "\n");
            } else if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                HttpExchanges.sendText(exchange, 405, "method not allowed: use POST\n");
            } else if (!isJson(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                HttpExchanges.sendText(exchange, 415, "unsupported media type: send application/json\n");
            } else {
                review(exchange);
            }
        }
    }

    private void review(HttpExchange exchange) throws IOException {
        byte[] body;
        try {
            body = HttpExchanges.readBody(exchange, MAX_BODY_BYTES);
        } catch (HttpExchanges.TooLargeException e) {
            HttpExchanges.sendText(exchange, 413, "payload too large: " + e.getMessage() + "\n");
            return;
        }
        AdmissionRequest request;
        try {
            request = AdmissionReviews.read(body);
        } catch (IllegalArgumentException e) {
            metrics.skipped(SkipReason.BAD_REQUEST);
            LOG.log(Level.WARNING, "bad request from {0}: {1}",
                    new Object[] {exchange.getRemoteAddress().getAddress().getHostAddress(), e.getMessage()});
            HttpExchanges.sendText(exchange, 400, "bad request: " + e.getMessage() + "\n");
            return;
        }
        InjectionDecision decision = decide(request);
        metrics.record(decision);
        // every pod created in the covered namespaces passes here: those that did not ask are counted, not logged
        Level level = decision.skipReason().filter(SkipReason.NOT_REQUESTED::equals).isPresent() ? Level.FINE
                : Level.INFO;
        LOG.log(level, () -> "pod " + request.namespace() + "/" + request.podName() + ": " + decision.summary()
                + (decision.injected() ? "" : " (" + decision.detail() + ")"));
        HttpExchanges.send(exchange, 200, "application/json", AdmissionReviews.response(request.uid(), decision));
    }

    private InjectionDecision decide(AdmissionRequest request) {
        if (!"Pod".equals(request.kind()) || !request.object().isObject()) {
            return InjectionDecision.skip(SkipReason.BAD_REQUEST, List.of(),
                    "not a Pod (kind '" + request.kind() + "') or no request.object");
        }
        if (!request.operation().isEmpty() && !"CREATE".equals(request.operation())) {
            return InjectionDecision.skip(SkipReason.NOT_REQUESTED, List.of(),
                    "operation " + request.operation() + ": only CREATE is injected");
        }
        try {
            return injector.decide(request.object());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "cannot decide for pod " + request.namespace() + "/" + request.podName(), e);
            return InjectionDecision.skip(SkipReason.BAD_REQUEST,
                    List.of("mep-sidecar not injected: the injector could not read the pod"), String.valueOf(e));
        }
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/json");
    }
}
