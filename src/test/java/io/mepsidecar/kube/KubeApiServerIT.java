package io.mepsidecar.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mepsidecar.testing.Closer;

/**
 * The test harness itself: a real kube-apiserver calls a mutating webhook registered the way the Helm chart does it
 * (a Service in {@code clientConfig}, rewritten to a 127.0.0.1 URL) when a Pod is created, and stores the patched Pod.
 * Run with {@code ./mvnw -Pkube verify}.
 */
class KubeApiServerIT {

    private static final String MARK = "kube-it.mep-sidecar.io/mutated";

    private static KubeApiServer kube;
    private static RecordingWebhook webhook;

    @BeforeAll
    static void start() {
        kube = KubeApiServer.start();
        TestPki pki = kube.pki();
        TestPki.PemPair cert = pki.issueServerCert("webhook", List.of("127.0.0.1"), List.of());
        webhook = RecordingWebhook.start(pki.serverContext(cert), KubeApiServerIT::markPod);
    }

    @AfterAll
    static void stop() {
        Closer.closeAll(webhook, kube);
    }

    @Test
    void servesTheApiAndReportsItsVersion() {
        assertThat(kube.get("/version").path("gitVersion").asText()).isEqualTo(KubeApiServer.VERSION);
        assertThat(kube.get("/api/v1/namespaces/default").path("status").path("phase").asText()).isEqualTo("Active");
    }

    @Test
    void createdPodIsPatchedByTheRegisteredMutatingWebhook() {
        String namespace = "kube-it-" + UUID.randomUUID().toString().substring(0, 8);
        kube.apply(namespaceYaml(namespace));
        ObjectNode configuration = KubeObjects.single(webhookConfigurationYaml(namespace),
                "MutatingWebhookConfiguration");
        kube.client().apply(MutatingWebhooks.withCaBundle(
                MutatingWebhooks.routeToUrl(configuration, webhook.baseUrl()), kube.pki().caBundle()));

        String podName = KubeObjects.name(kube.createPodUntil(namespace, "app", KubeApiServerIT::podJson,
                pod -> pod.path("metadata").path("annotations").has(MARK)));

        JsonNode stored = kube.get("/api/v1/namespaces/" + namespace + "/pods/" + podName);
        assertThat(stored.path("metadata").path("annotations").path(MARK).asText()).isEqualTo("true");
        JsonNode review = webhook.reviews().stream()
                .filter(r -> podName.equals(r.path("request").path("object").path("metadata").path("name").asText()))
                .findFirst().orElseThrow();
        assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(review.path("request").path("uid").asText()).isNotBlank();
        assertThat(review.path("request").path("kind").path("kind").asText()).isEqualTo("Pod");
        assertThat(review.path("request").path("namespace").asText()).isEqualTo(namespace);
        assertThat(review.path("request").path("operation").asText()).isEqualTo("CREATE");
    }

    /** The test webhook's answer: add the mark annotation (and the annotations map when the Pod has none). */
    private static ArrayNode markPod(JsonNode request) {
        ArrayNode patch = KubeObjects.JSON.createArrayNode();
        if (!request.path("object").path("metadata").has("annotations")) {
            patch.addObject().put("op", "add").put("path", "/metadata/annotations")
                    .putObject("value");
        }
        patch.addObject().put("op", "add").put("path", "/metadata/annotations/" + MARK.replace("/", "~1"))
                .put("value", "true");
        return patch;
    }

    private static String namespaceYaml(String namespace) {
        return """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                  labels:
                    kube-it.mep-sidecar.io/namespace: %s
                """.formatted(namespace, namespace);
    }

    /** Shaped like the chart's configuration: the webhook behind a Service, which the test reroutes to a URL. */
    private static String webhookConfigurationYaml(String namespace) {
        return """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: %s
                webhooks:
                  - name: mark.kube-it.mep-sidecar.io
                    admissionReviewVersions: ["v1"]
                    sideEffects: None
                    failurePolicy: Fail
                    timeoutSeconds: 10
                    clientConfig:
                      service:
                        name: test-webhook
                        namespace: default
                        port: 443
                        path: /mutate
                    rules:
                      - apiGroups: [""]
                        apiVersions: ["v1"]
                        operations: ["CREATE"]
                        resources: ["pods"]
                    namespaceSelector:
                      matchLabels:
                        kube-it.mep-sidecar.io/namespace: %s
                """.formatted(namespace, namespace);
    }

    private static String podJson(String name) {
        return """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s"},
                 "spec": {"containers": [{"name": "app", "image": "registry.invalid/app:1"}]}}
                """.formatted(name);
    }
}
