package io.mepsidecar.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Changes to a {@code MutatingWebhookConfiguration} (admissionregistration.k8s.io/v1) so that a test API server, which
 * has no cluster network and no Services, calls a webhook running on 127.0.0.1.
 */
public final class MutatingWebhooks {

    private MutatingWebhooks() {
    }

    /**
     * A copy of {@code configuration} whose webhooks call {@code baseUrl} (e.g. {@code https://127.0.0.1:8443})
     * instead of their Service: each {@code clientConfig.service} is removed and {@code clientConfig.url} set to
     * {@code baseUrl} followed by the service's {@code path}. The {@code caBundle} is kept.
     */
    public static ObjectNode routeToUrl(JsonNode configuration, String baseUrl) {
        ObjectNode copy = configuration.deepCopy();
        for (JsonNode webhook : webhooks(copy)) {
            ObjectNode clientConfig = ((ObjectNode) webhook).withObjectProperty("clientConfig");
            JsonNode service = clientConfig.remove("service");
            String path = service == null ? "" : service.path("path").asText("");
            clientConfig.put("url", baseUrl + path);
        }
        return copy;
    }

    /** A copy of {@code configuration} whose webhooks trust {@code caBundle} (base64 of PEM certificates). */
    public static ObjectNode withCaBundle(JsonNode configuration, String caBundle) {
        ObjectNode copy = configuration.deepCopy();
        webhooks(copy).forEach(webhook -> ((ObjectNode) webhook).withObjectProperty("clientConfig").put("caBundle", caBundle));
        return copy;
    }

    /** A copy of {@code configuration} whose webhooks have {@code failurePolicy} ({@code Fail} or {@code Ignore}). */
    public static ObjectNode withFailurePolicy(JsonNode configuration, String failurePolicy) {
        ObjectNode copy = configuration.deepCopy();
        webhooks(copy).forEach(webhook -> ((ObjectNode) webhook).put("failurePolicy", failurePolicy));
        return copy;
    }

    private static JsonNode webhooks(ObjectNode configuration) {
        if (!"MutatingWebhookConfiguration".equals(configuration.path("kind").asText())) {
            throw new IllegalArgumentException("not a MutatingWebhookConfiguration: " + configuration.path("kind"));
        }
        return configuration.path("webhooks");
    }
}
