package io.mepsidecar.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.UpgradeCommand;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.FreePorts;

/**
 * The whole injection path with real parts: the Helm chart installed with {@code helm install} (the Helm library)
 * into a real kube-apiserver, the injector running as its own process from the sidecar's jar
 * ({@code java -jar quarkus-run.jar injector}) with the config and certificate the install stored, and the chart's
 * {@code MutatingWebhookConfiguration} (its {@code caBundle} untouched) rerouted from the Service, which has no
 * endpoints without a kubelet, to that process. Pods created through the API server come back as stored, with or
 * without the sidecar; {@code helm upgrade} keeps the certificate.
 *
 * <p>The API server is 1.20: it predates native sidecars, so the chart resolves {@code nativeSidecar: auto} to the
 * plain-container mode here (the golden tests cover the native one); it serves no {@code policy/v1}, so the
 * PodDisruptionBudget is off; and it does not label namespaces with {@code kubernetes.io/metadata.name} (1.21+),
 * so the test sets that label as newer servers do.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InjectionIT {

    private static final String RELEASE = "mep-sidecar";
    private static final String SYSTEM = "mep-system";
    private static final String APPS = "shop-" + UUID.randomUUID().toString().substring(0, 6);
    private static final Path CHART = Path.of("helm/mep-sidecar");
    private static final Path WORK = Path.of("target", "kube-test");
    private static final Path KUBECONFIG = WORK.resolve("kubeconfig");
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Map<String, String> INJECTOR_ENV = new HashMap<>();

    private static KubeApiServer kube;
    private static Process injector;
    private static int managementPort;
    private static String installNotes;
    /** The webhook configuration as the install stored it, before the test pointed it at the injector process. */
    private static ObjectNode installedWebhook;

    @BeforeAll
    static void installChart() throws IOException {
        kube = KubeApiServer.start();
        writeKubeconfig();
        kube.apply(namespace(SYSTEM) + "---\n" + namespace(APPS));
        Release release = chartValues(new Helm(CHART).install().withName(RELEASE).withNamespace(SYSTEM)
                .withKubeConfig(KUBECONFIG)).call();
        assertThat(release.getStatus()).isEqualTo("deployed");
        installNotes = release.getOutput();
        injector = startInjector();
        installedWebhook = (ObjectNode) webhookConfiguration();
        kube.client().apply(MutatingWebhooks.routeToUrl(installedWebhook,
                "https://127.0.0.1:" + INJECTOR_ENV.get("MEP_INJECTOR_PORT")));
    }

    @AfterAll
    static void stop() {
        if (injector != null) {
            injector.destroy();
        }
        Closer.closeAll(kube);
    }

    @Test
    @Order(1)
    void annotatedPodIsStoredWithTheSidecarTheChartConfigured() {
        JsonNode pod = kube.createPodUntil(APPS, "quote-service", name -> podJson(name, Map.of(
                        "mep-sidecar.io/inject", "true", "mep-sidecar.io/serves", "get-quote",
                        "mep-sidecar.io/app-port", "8000")),
                stored -> containerNames(stored.path("spec").path("containers")).contains("mep-sidecar"));

        JsonNode stored = kube.get("/api/v1/namespaces/" + APPS + "/pods/" + KubeObjects.name(pod));
        JsonNode containers = stored.path("spec").path("containers");
        assertThat(containerNames(containers)).as("plain mode on 1.20: the sidecar first, then the app")
                .containsExactly("mep-sidecar", "app");
        JsonNode sidecar = containers.get(0);
        assertThat(sidecar.path("image").asText()).startsWith("ghcr.io/mep-sidecar/mep-sidecar:");
        assertThat(sidecar.path("args").isMissingNode() || sidecar.path("args").isEmpty()).isTrue();
        assertThat(env(sidecar, "MEP_APP_NAME")).isEqualTo("quote-service");
        assertThat(env(sidecar, "MEP_SERVES")).isEqualTo("get-quote");
        assertThat(env(sidecar, "MEP_APP_URL")).isEqualTo("http://127.0.0.1:8000");
        assertThat(env(sidecar, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka.test.invalid:9092");
        assertThat(sidecar.path("env").findValues("fieldPath")).extracting(JsonNode::asText)
                .contains("metadata.name");
        assertThat(sidecar.path("lifecycle").path("preStop").isObject()).isTrue();
        assertThat(sidecar.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
        assertThat(sidecar.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sidecar.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(stored.path("spec").path("volumes").findValues("configMap")).extracting(v -> v.path("name").asText())
                .contains("mep-contract");
        assertThat(stored.path("metadata").path("labels").path("mep-sidecar.io/injected").asText()).isEqualTo("true");
        assertThat(stored.path("metadata").path("annotations").path("mep-sidecar.io/status").asText())
                .isEqualTo("injected");
        assertThat(stored.path("metadata").path("annotations").path("kubectl.kubernetes.io/default-container")
                .asText()).isEqualTo("app");
        assertThat(stored.path("spec").path("terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(30);
        // the contract ConfigMap the sidecar mounts is in the app's namespace, put there by the chart
        assertThat(kube.get("/api/v1/namespaces/" + APPS + "/configmaps/mep-contract").path("data")
                .path("contract.yaml").asText()).contains("get-quote");
    }

    @Test
    @Order(2)
    void podsWithoutTheAnnotationOrInTheChartsNamespaceAreLeftAlone() {
        JsonNode plain = kube.create("/api/v1/namespaces/" + APPS + "/pods", podJson("plain", Map.of()));
        assertThat(containerNames(plain.path("spec").path("containers"))).containsExactly("app");
        assertThat(plain.path("metadata").path("labels").has("mep-sidecar.io/injected")).isFalse();

        JsonNode excluded = kube.create("/api/v1/namespaces/" + SYSTEM + "/pods",
                podJson("in-system", Map.of("mep-sidecar.io/inject", "true")));
        assertThat(containerNames(excluded.path("spec").path("containers"))).containsExactly("app");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(injectorMetrics())
                .containsPattern("mep_injector_injected_total\\{mode=\"plain\",?} 1\\.0")
                .containsPattern("mep_injector_skipped_total\\{reason=\"not-requested\",?} [1-9]"));
    }

    @Test
    @Order(3)
    void installNotesSayHowToAnnotateAPod() {
        assertThat(installNotes).contains("mep-sidecar.io/inject: \"true\"");
    }

    @Test
    @Order(4)
    void injectorDownDoesNotBlockPodsUnderTheDefaultFailurePolicy() {
        injector.destroy();
        await().atMost(Duration.ofSeconds(15)).until(() -> !injector.isAlive());

        JsonNode pod = kube.create("/api/v1/namespaces/" + APPS + "/pods",
                podJson("while-injector-down", Map.of("mep-sidecar.io/inject", "true")));
        assertThat(containerNames(pod.path("spec").path("containers"))).containsExactly("app");
    }

    @Test
    @Order(5)
    void upgradeKeepsTheCertificateTheClusterHas() {
        kube.client().apply(installedWebhook); // as installed (the Service), so that Helm's merge finds its own
        String certificate = KubeObjects.secretData(tlsSecret(), "tls.crt");
        String caBundle = webhookConfiguration().path("webhooks").get(0).path("clientConfig").path("caBundle").asText();

        Release upgraded = chartValues(new Helm(CHART).upgrade().withName(RELEASE).withNamespace(SYSTEM)
                .withKubeConfig(KUBECONFIG)).call();

        assertThat(upgraded.getRevision()).isEqualTo("2");
        assertThat(KubeObjects.secretData(tlsSecret(), "tls.crt")).isEqualTo(certificate);
        assertThat(webhookConfiguration().path("webhooks").get(0).path("clientConfig").path("caBundle").asText())
                .isEqualTo(caBundle);
    }

    private static InstallCommand chartValues(InstallCommand install) {
        return install.set("injector.tls.ipAddresses[0]", "127.0.0.1")
                .set("injector.podDisruptionBudget.enabled", false)
                .set("sidecar.kafka.bootstrapServers", "kafka.test.invalid:9092")
                .set("contract.namespaces[0]", APPS);
    }

    private static UpgradeCommand chartValues(UpgradeCommand upgrade) {
        return upgrade.set("injector.tls.ipAddresses[0]", "127.0.0.1")
                .set("injector.podDisruptionBudget.enabled", false)
                .set("sidecar.kafka.bootstrapServers", "kafka.test.invalid:9092")
                .set("contract.namespaces[0]", APPS);
    }

    private static JsonNode tlsSecret() {
        return StreamSupport.stream(kube.get("/api/v1/namespaces/" + SYSTEM + "/secrets").path("items").spliterator(),
                false).filter(secret -> "kubernetes.io/tls".equals(secret.path("type").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no TLS Secret in " + SYSTEM));
    }

    private static JsonNode webhookConfiguration() {
        return kube.get("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/" + RELEASE);
    }

    /** The kubeconfig Helm uses (also the kube profile's KUBECONFIG): the test API server and its admin token. */
    private static void writeKubeconfig() throws IOException {
        Files.createDirectories(WORK);
        Files.writeString(KUBECONFIG, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: test
                    cluster:
                      server: %s
                      certificate-authority: %s
                users:
                  - name: admin
                    user:
                      token: %s
                contexts:
                  - name: test
                    context: {cluster: test, user: admin}
                current-context: test
                """.formatted(kube.url(), kube.pki().ca().cert().toAbsolutePath(), kube.client().token()),
                StandardCharsets.UTF_8);
    }

    /** The injector process with the config.yaml and TLS Secret the install stored, on 127.0.0.1 and free ports. */
    private static Process startInjector() throws IOException {
        Path dir = Files.createDirectories(WORK.resolve("injector"));
        JsonNode config = StreamSupport.stream(kube.get("/api/v1/namespaces/" + SYSTEM + "/configmaps")
                .path("items").spliterator(), false).filter(map -> map.path("data").has("config.yaml"))
                .findFirst().orElseThrow(() -> new AssertionError("no injector config in " + SYSTEM));
        Files.writeString(dir.resolve("config.yaml"), config.path("data").path("config.yaml").asText());
        JsonNode secret = tlsSecret();
        Files.writeString(dir.resolve("tls.crt"), KubeObjects.secretData(secret, "tls.crt"));
        Files.writeString(dir.resolve("tls.key"), KubeObjects.secretData(secret, "tls.key"));
        managementPort = FreePorts.next();
        INJECTOR_ENV.putAll(Map.of("MEP_INJECTOR_HOST", "127.0.0.1",
                "MEP_INJECTOR_PORT", String.valueOf(FreePorts.next()),
                "MEP_INJECTOR_MANAGEMENT_PORT", String.valueOf(managementPort),
                "MEP_INJECTOR_CONFIG", dir.resolve("config.yaml").toAbsolutePath().toString(),
                "MEP_INJECTOR_TLS_CERT", dir.resolve("tls.crt").toAbsolutePath().toString(),
                "MEP_INJECTOR_TLS_KEY", dir.resolve("tls.key").toAbsolutePath().toString()));
        Path log = Files.createDirectories(Path.of("target", "kube-logs")).resolve("injector.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of(System.getProperty("sidecar.jar", "target/quarkus-app/quarkus-run.jar")).toString(),
                "injector").redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(INJECTOR_ENV);
        Process process = builder.start();
        await("injector ready (log: " + log + ")").atMost(READY).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().failFast("injector exited; see " + log, () -> !process.isAlive())
                .until(() -> get("/readyz").statusCode() == 200);
        return process;
    }

    private static String injectorSetting(String name) {
        return INJECTOR_ENV.get(name);
    }

    private static String injectorMetrics() {
        try {
            return get("/metrics").body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> get(String path) throws IOException {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static List<String> containerNames(JsonNode containers) {
        return StreamSupport.stream(containers.spliterator(), false).map(c -> c.path("name").asText()).toList();
    }

    private static String env(JsonNode container, String name) {
        return StreamSupport.stream(container.path("env").spliterator(), false)
                .filter(e -> name.equals(e.path("name").asText())).map(e -> e.path("value").asText())
                .findFirst().orElse(null);
    }

    private static String namespace(String name) {
        return """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                  labels:
                    kubernetes.io/metadata.name: %s
                """.formatted(name, name);
    }

    private static String podJson(String name, Map<String, String> annotations) {
        ObjectNode pod = KubeObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode metadata = pod.putObject("metadata").put("name", name);
        metadata.putObject("labels").put("app.kubernetes.io/name", "quote-service");
        ObjectNode podAnnotations = metadata.putObject("annotations");
        annotations.forEach(podAnnotations::put);
        pod.putObject("spec").putArray("containers").addObject().put("name", "app")
                .put("image", "registry.invalid/quote-service:1");
        return KubeObjects.toJson(pod);
    }
}
