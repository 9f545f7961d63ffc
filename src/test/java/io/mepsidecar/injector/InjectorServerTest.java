package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The injector's HTTPS and management servers on 127.0.0.1, called the way the API server and Prometheus do. */
class InjectorServerTest {

    private static final Path REVIEWS = GoldenFiles.ROOT.resolve("reviews");

    @TempDir
    static Path dir;
    static TestCertificates certificates;
    static TestCertificates.Issued serving;
    static InjectorServer server;
    static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        certificates = new TestCertificates(dir);
        serving = certificates.issue("server", 1, TestCertificates.KeyFormat.PKCS8);
        InjectorSettings settings = new InjectorSettings("127.0.0.1", 0, 0, GoldenFiles.ROOT.resolve("config.yaml"),
                serving.cert(), serving.key(), Duration.ofMillis(200));
        server = InjectorServer.start(settings, GoldenFiles.config(GoldenFiles.ROOT),
                new ServerTls(serving.cert(), serving.key()));
        client = newClient();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void annotatedPodGetsAPatchThatGivesTheExpectedPod() throws Exception {
        JsonNode review = GoldenFiles.readJson(REVIEWS.resolve("create-annotated.json"));

        HttpResponse<String> response = post(Files.readString(REVIEWS.resolve("create-annotated.json")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode answer = GoldenFiles.JSON.readTree(response.body());
        assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
        JsonNode result = answer.path("response");
        assertThat(result.path("uid").asText()).isEqualTo(review.path("request").path("uid").asText());
        assertThat(result.path("allowed").asBoolean()).isTrue();
        assertThat(result.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = GoldenFiles.JSON.readTree(Base64.getDecoder().decode(result.path("patch").asText()));
        assertThat(JsonPatch.apply(patch, review.path("request").path("object")))
                .isEqualTo(GoldenFiles.readJson(GoldenFiles.ROOT.resolve("single-container/expected-pod.json")));
    }

    @Test
    void podWithoutTheAnnotationIsAllowedWithoutPatch() throws Exception {
        HttpResponse<String> response = post(Files.readString(REVIEWS.resolve("create-not-annotated.json")));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode result = GoldenFiles.JSON.readTree(response.body()).path("response");
        assertThat(result.path("uid").asText()).isEqualTo("0df28fbd-5f5f-4f4a-9e4c-111111111111");
        assertThat(result.path("allowed").asBoolean()).isTrue();
        assertThat(result.has("patch")).isFalse();
        assertThat(result.has("patchType")).isFalse();
        assertThat(result.has("warnings")).isFalse();
    }

    @Test
    void invalidAnnotationIsAllowedWithoutPatchAndWarnsNamingTheAnnotation() throws Exception {
        HttpResponse<String> response = post(Files.readString(REVIEWS.resolve("create-invalid-annotation.json")));

        JsonNode result = GoldenFiles.JSON.readTree(response.body()).path("response");
        assertThat(result.path("allowed").asBoolean()).isTrue();
        assertThat(result.has("patch")).isFalse();
        assertThat(result.path("warnings").toString())
                .contains("mep-sidecar.io/app-port has value '70000'")
                .contains("mep-sidecar.io/memory-limit has value 'lots'");
    }

    @Test
    void garbageBodyIsABadRequest() throws Exception {
        HttpResponse<String> response = post("{not json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith("bad request: the body is not JSON");
    }

    @Test
    void reviewWithoutUidIsABadRequest() throws Exception {
        HttpResponse<String> response = post("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"request\":{}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("no request.uid");
    }

    @Test
    void getIsNotAllowed() throws Exception {
        HttpResponse<String> response = client.send(request("/mutate").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void otherPathIsNotFound() throws Exception {
        HttpResponse<String> response = client.send(request("/mutate/extra")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void bodyThatIsNotJsonByContentTypeIsUnsupported() throws Exception {
        HttpResponse<String> response = client.send(request("/mutate")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(415);
    }

    @Test
    void bodyAboveThreeMebibytesIsTooLarge() throws Exception {
        HttpResponse<String> response = post("{\"padding\":\"" + "x".repeat(AdmissionHandler.MAX_BODY_BYTES) + "\"}");

        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void metricsCountInjectionsByModeAndSkipsByReason() throws Exception {
        String before = scrape();

        post(Files.readString(REVIEWS.resolve("create-annotated.json")));
        post(Files.readString(REVIEWS.resolve("create-not-annotated.json")));
        post(Files.readString(REVIEWS.resolve("create-invalid-annotation.json")));
        post("garbage");

        String after = scrape();
        assertThat(PrometheusText.value(after, "mep_injector_injected_total", "mode", "native"))
                .isEqualTo(PrometheusText.value(before, "mep_injector_injected_total", "mode", "native") + 1);
        assertThat(PrometheusText.value(after, "mep_injector_injected_total", "mode", "plain"))
                .isEqualTo(PrometheusText.value(before, "mep_injector_injected_total", "mode", "plain"));
        for (String reason : new String[] {"not-requested", "invalid-annotation", "bad-request"}) {
            assertThat(PrometheusText.value(after, "mep_injector_skipped_total", "reason", reason)).as(reason)
                    .isEqualTo(PrometheusText.value(before, "mep_injector_skipped_total", "reason", reason) + 1);
        }
        assertThat(PrometheusText.value(after, "mep_injector_skipped_total", "reason", "no-app-name")).isZero();
    }

    @Test
    void managementEndpointsAnswer() throws Exception {
        assertThat(management("/livez").statusCode()).isEqualTo(200);
        assertThat(management("/readyz").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = management("/metrics");
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(management("/other").statusCode()).isEqualTo(404);
    }

    @Test
    void rotatedCertificateIsServedToNewConnections() throws Exception {
        TestCertificates.Issued next = certificates.issue("rotated", 2, TestCertificates.KeyFormat.PKCS1);
        assertThat(Files.readString(next.key())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(servedSerial()).isIn(BigInteger.ONE, BigInteger.TWO);

        next.copyTo(serving);

        await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial().equals(BigInteger.TWO));
        HttpResponse<String> response = post(Files.readString(REVIEWS.resolve("create-annotated.json")));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void speaksTls13AndTls12() throws Exception {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] {protocol});
            HttpClient pinned = HttpClient.newBuilder().sslContext(certificates.clientContext())
                    .sslParameters(parameters).build();

            HttpResponse<String> response = pinned.send(request("/mutate").GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.sslSession().orElseThrow().getProtocol()).isEqualTo(protocol);
        }
    }

    /** The serial number of the certificate a new TLS connection gets. */
    private static BigInteger servedSerial() throws Exception {
        HttpResponse<String> response = newClient().send(request("/mutate").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        X509Certificate served = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
        return served.getSerialNumber();
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return client.send(request("/mutate").POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10));
    }

    private static HttpResponse<String> management(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.managementPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape() throws Exception {
        HttpResponse<String> response = management("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().sslContext(certificates.clientContext()).connectTimeout(Duration.ofSeconds(5))
                .build();
    }
}
