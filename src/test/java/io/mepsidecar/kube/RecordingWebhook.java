package io.mepsidecar.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A mutating admission webhook for tests: HTTPS on 127.0.0.1, path {@code /mutate}. It keeps every AdmissionReview
 * it receives and allows each one with the JSON Patch its {@code patcher} makes from the review's {@code request}.
 */
public final class RecordingWebhook implements AutoCloseable {

    public static final String PATH = "/mutate";

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final Function<JsonNode, ArrayNode> patcher;
    private final List<JsonNode> reviews = new CopyOnWriteArrayList<>();

    private RecordingWebhook(SSLContext tls, Function<JsonNode, ArrayNode> patcher) throws IOException {
        this.patcher = patcher;
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext(PATH, this::handle);
        server.setExecutor(executor);
    }

    /** Starts a webhook that presents {@code tls}'s certificate and answers with {@code patcher}'s patches. */
    public static RecordingWebhook start(SSLContext tls, Function<JsonNode, ArrayNode> patcher) {
        try {
            RecordingWebhook webhook = new RecordingWebhook(tls, patcher);
            webhook.server.start();
            return webhook;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test webhook", e);
        }
    }

    /** E.g. {@code https://127.0.0.1:40123}; the webhook itself is at {@link #url()}. */
    public String baseUrl() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    public String url() {
        return baseUrl() + PATH;
    }

    /** Every AdmissionReview received so far, as sent. */
    public List<JsonNode> reviews() {
        return List.copyOf(reviews);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            JsonNode review = KubeObjects.readJson(new String(body.readAllBytes(), StandardCharsets.UTF_8));
            reviews.add(review);
            byte[] answer = KubeObjects.toJson(answer(review)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    private ObjectNode answer(JsonNode review) {
        ObjectNode answer = KubeObjects.JSON.createObjectNode()
                .put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"))
                .put("kind", "AdmissionReview");
        ObjectNode response = answer.putObject("response")
                .put("uid", review.path("request").path("uid").asText())
                .put("allowed", true);
        ArrayNode patch = patcher.apply(review.path("request"));
        if (patch != null && !patch.isEmpty()) {
            response.put("patchType", "JSONPatch").put("patch", Base64.getEncoder()
                    .encodeToString(KubeObjects.toJson(patch).getBytes(StandardCharsets.UTF_8)));
        }
        return answer;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
