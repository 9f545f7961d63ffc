package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.RawHttp;
import io.mepsidecar.testing.RawHttp.Exchange;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Only the pod's own app may use its sidecar, and only for the operations it lists: the API token
 * ({@code MEP_API_TOKEN}), the token the sidecar shows its app ({@code MEP_APP_TOKEN}) and the call allow-list
 * ({@code MEP_CALLS}), between two sidecar processes started from the packaged artifact.
 */
class ApiSecurityIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final String CALLER_API_TOKEN = "caller-api-" + UUID.randomUUID();
    private static final String CALLER_APP_TOKEN = "caller-app-" + UUID.randomUUID();
    private static final String SERVICE_API_TOKEN = "service-api-" + UUID.randomUUID();
    private static final String SERVICE_APP_TOKEN = "service-app-" + UUID.randomUUID();

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.echo", "e2e.status", "e2e.work-event", "secure-front.replies");
        app = TestApp.start();
        service = SidecarProcess.builder("secure-service").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("echo,work-event").env("MEP_APP_HEALTH_PATH", "/health")
                .env("MEP_API_TOKEN", SERVICE_API_TOKEN).env("MEP_APP_TOKEN", SERVICE_APP_TOKEN).start();
        caller = SidecarProcess.builder("secure-front").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).env("MEP_CALLS", "echo, work-event")
                .env("MEP_API_TOKEN", CALLER_API_TOKEN).env("MEP_APP_TOKEN", CALLER_APP_TOKEN).start();
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(caller, service, app, broker);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "Authorization: Bearer wrong", "Authorization: Basic c2VjcmV0",
        "Authorization: Bearer service-api-token-of-another-sidecar", "Mep-Api-Token: whatever"})
    void aCallWithoutTheApiTokenIsA401AndPublishesNothing(String authorization) {
        String body = "unauthorized-" + UUID.randomUUID();
        String headers = "Content-Type: text/plain" + (authorization.isEmpty() ? "" : "\r\n" + authorization);

        Exchange exchange = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo", headers,
                body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));

        assertProblem(exchange, 401, "unauthorized");
        assertThat(exchange.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"mep-sidecar\"");
        assertThat(exchange.body()).doesNotContain(CALLER_API_TOKEN);
        assertThat(TopicReader.recordsWithValue(broker.bootstrapServers(), "e2e.echo",
                body.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void aCallWithTheTokenGoesThroughAndTheAppSeesItsSidecarsToken() {
        String body = "authorized-" + UUID.randomUUID();

        Exchange exchange = call("POST", "/v1/invoke/echo", body);

        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.body()).isEqualTo(body);
        TestApp.Received delivered = app.received().stream()
                .filter(r -> body.equals(new String(r.body(), StandardCharsets.UTF_8))).findFirst().orElseThrow();
        assertThat(delivered.header("Authorization")).isEqualTo("Bearer " + SERVICE_APP_TOKEN);
        assertThat(delivered.header("Mep-Operation")).isEqualTo("echo");
    }

    @Test
    void aOneWayDeliveryAndACallbackCarryTheAppToken() {
        String event = "event-" + UUID.randomUUID();
        assertThat(call("POST", "/v1/invoke/work-event", event).status()).isEqualTo(202);
        String body = "callback-" + UUID.randomUUID();
        Exchange accepted = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo", "Content-Type: text/plain\r\n"
                + "Authorization: Bearer " + CALLER_API_TOKEN + "\r\nPrefer: respond-async\r\n"
                + "Mep-Callback: /callbacks/secure", body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
        assertThat(accepted.status()).isEqualTo(202);

        TestApp.Received delivered = await().until(() -> app.received().stream()
                .filter(r -> event.equals(new String(r.body(), StandardCharsets.UTF_8))).findFirst(),
                found -> found.isPresent()).orElseThrow();
        TestApp.Received callback = await().until(() -> app.received().stream()
                .filter(r -> r.path().equals("/callbacks/secure"))
                .filter(r -> body.equals(new String(r.body(), StandardCharsets.UTF_8))).findFirst(),
                found -> found.isPresent()).orElseThrow();
        assertThat(delivered.header("Authorization")).isEqualTo("Bearer " + SERVICE_APP_TOKEN);
        assertThat(callback.header("Authorization")).isEqualTo("Bearer " + CALLER_APP_TOKEN);
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource({"GET, /v1/replies/00000000-0000-0000-0000-000000000000", "DELETE, /v1/replies/x",
        "GET, /v2/anything", "GET, /v1/invoke/echo", "PATCH, /v1/replies/x", "POST, /v1/invoke/%zz"})
    void everyOtherRequestWithoutTheTokenIsA401Too(String method, String target) {
        assertProblem(RawHttp.send(caller.port(), method, target, "Content-Type: text/plain"), 401, "unauthorized");
    }

    @Test
    void aChunkedBodyWithoutTheTokenIsA401AndIsNotRead() {
        byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[chunk.length * 32]; // 2 MiB: past the body limit, were it read
        for (int i = 0; i < 32; i++) {
            System.arraycopy(chunk, 0, body, i * chunk.length, chunk.length);
        }

        Exchange exchange = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo",
                "Content-Type: text/plain\r\nTransfer-Encoding: chunked", body, Duration.ofSeconds(10));

        assertProblem(exchange, 401, "unauthorized");
    }

    @Test
    void theHealthCheckOfTheAppCarriesTheAppToken() {
        TestApp.Received check = await().until(() -> app.received().stream()
                .filter(r -> r.path().equals("/health")).findFirst(), found -> found.isPresent()).orElseThrow();

        assertThat(check.header("Authorization")).isEqualTo("Bearer " + SERVICE_APP_TOKEN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"status", "no-such-operation"})
    void anOperationTheAppMayNotCallIsA403AndPublishesNothing(String operation) {
        String body = "not-allowed-" + UUID.randomUUID();

        Exchange exchange = call("POST", "/v1/invoke/" + operation, body);

        assertProblem(exchange, 403, "operation-not-allowed");
        assertThat(exchange.header("Mep-Correlation-Id")).isNotBlank();
        assertThat(exchange.body()).contains(exchange.header("Mep-Correlation-Id"));
        assertThat(TopicReader.recordsWithValue(broker.bootstrapServers(), "e2e.status",
                body.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void theDeferredReplyEndpointNeedsTheTokenToo() {
        String id = UUID.randomUUID().toString();

        assertProblem(RawHttp.send(service.port(), "PUT", "/v1/replies/" + id, "Content-Type: text/plain",
                "late".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)), 401, "unauthorized");
        assertProblem(RawHttp.send(service.port(), "PUT", "/v1/replies/" + id, "Content-Type: text/plain\r\n"
                + "Authorization: Bearer " + SERVICE_API_TOKEN, "late".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(5)), 404, "unknown-reply");
    }

    @Test
    void theManagementPortAnswersProbesAndScrapesWithoutATokenAndServesNothingElse() {
        int management = Integer.parseInt(caller.managementUrl().substring(caller.managementUrl().lastIndexOf(':')
                + 1));

        assertThat(RawHttp.send(management, "GET", "/q/health/ready", "").status()).isEqualTo(200);
        assertThat(RawHttp.send(management, "GET", "/q/health/live", "").status()).isEqualTo(200);
        assertThat(RawHttp.send(management, "GET", "/q/metrics", "").body()).contains("mep_caller_in_flight_limit ");
        assertThat(RawHttp.send(management, "POST", "/v1/invoke/echo", "Content-Type: text/plain").status())
                .isEqualTo(404);
        assertThat(RawHttp.send(management, "GET", "/v1/replies/" + UUID.randomUUID(), "").status())
                .isEqualTo(404);
    }

    @Test
    void aSidecarWithoutAnAllowListSaysSoOnceAtStartUp() {
        assertThat(service.output()).containsOnlyOnce("mep.calls (MEP_CALLS) is not set");
        assertThat(caller.output()).doesNotContain("mep.calls (MEP_CALLS) is not set")
                .contains("this app may call [echo, work-event] (mep.calls)");
    }

    private static Exchange call(String method, String target, String body) {
        return RawHttp.send(caller.port(), method, target, "Content-Type: text/plain\r\nAuthorization: Bearer "
                + CALLER_API_TOKEN, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(15));
    }

    private static void assertProblem(Exchange exchange, int status, String type) {
        assertThat(exchange.answered()).as("answered within 5 s").isTrue();
        assertThat(exchange.status()).isEqualTo(status);
        assertThat(exchange.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(exchange.body()).contains("\"type\":\"urn:mep-sidecar:problem:" + type + "\"");
    }
}
