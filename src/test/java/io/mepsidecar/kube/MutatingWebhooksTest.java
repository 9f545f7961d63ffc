package io.mepsidecar.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class MutatingWebhooksTest {

    /** As {@code helm template} prints it: comments, document separators, an empty document. */
    private static final String MANIFEST = """
            ---
            # Source: chart/templates/secret.yaml
            apiVersion: v1
            kind: Secret
            metadata:
              name: injector-tls
            type: kubernetes.io/tls
            data:
              tls.crt: Y2VydA==
            ---
            ---
            # Source: chart/templates/webhook.yaml
            apiVersion: admissionregistration.k8s.io/v1
            kind: MutatingWebhookConfiguration
            metadata:
              name: injector
            webhooks:
              - name: a.example.io
                clientConfig:
                  caBundle: Q0E=
                  service: {name: injector, namespace: mep, port: 443, path: /mutate}
              - name: b.example.io
                clientConfig:
                  service: {name: injector, namespace: mep}
            """;

    @Test
    void routesEveryWebhookFromItsServiceToTheUrlKeepingPathAndCaBundle() {
        JsonNode configuration = KubeObjects.single(MANIFEST, "MutatingWebhookConfiguration");

        JsonNode routed = MutatingWebhooks.routeToUrl(configuration, "https://127.0.0.1:8443");

        JsonNode first = routed.path("webhooks").path(0).path("clientConfig");
        assertThat(first.has("service")).isFalse();
        assertThat(first.path("url").asText()).isEqualTo("https://127.0.0.1:8443/mutate");
        assertThat(first.path("caBundle").asText()).isEqualTo("Q0E=");
        assertThat(routed.path("webhooks").path(1).path("clientConfig").path("url").asText())
                .isEqualTo("https://127.0.0.1:8443");
        assertThat(configuration.path("webhooks").path(0).path("clientConfig").has("service")).isTrue();
    }

    @Test
    void setsCaBundleAndFailurePolicyOnEveryWebhook() {
        JsonNode configuration = KubeObjects.single(MANIFEST, "MutatingWebhookConfiguration");

        JsonNode changed = MutatingWebhooks.withFailurePolicy(MutatingWebhooks.withCaBundle(configuration, "TkVX"),
                "Fail");

        for (JsonNode webhook : changed.path("webhooks")) {
            assertThat(webhook.path("clientConfig").path("caBundle").asText()).isEqualTo("TkVX");
            assertThat(webhook.path("failurePolicy").asText()).isEqualTo("Fail");
        }
    }

    @Test
    void parsesEveryObjectOfAMultiDocumentManifestAndDecodesSecretData() {
        assertThat(KubeObjects.parse(MANIFEST)).extracting(object -> object.path("kind").asText())
                .containsExactly("Secret", "MutatingWebhookConfiguration");
        assertThat(KubeObjects.secretData(KubeObjects.single(MANIFEST, "Secret"), "tls.crt")).isEqualTo("cert");
    }
}
