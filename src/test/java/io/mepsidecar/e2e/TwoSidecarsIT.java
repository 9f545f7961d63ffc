package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.FreePorts;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The real topology: a caller-side sidecar and two service-side sidecars, each its own process started from the
 * packaged artifact, talking through a real broker; the serving app is a real HTTP server on 127.0.0.1.
 */
class TwoSidecarsIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess serviceWithoutApp;
    private static SidecarProcess caller;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.echo", "e2e.status", "e2e.gone", "frontend.replies");
        app = TestApp.start();
        service = SidecarProcess.builder("quote-service")
                .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("echo,status")
                .start();
        serviceWithoutApp = SidecarProcess.builder("orphan-service")
                .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl("http://127.0.0.1:" + FreePorts.next()).serves("gone")
                .start();
        caller = SidecarProcess.builder("frontend")
                .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .start();
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(caller, serviceWithoutApp, service, app, broker);
    }

    @Test
    void roundTripsAJsonBody() {
        String body = "{\"symbol\":\"ACME\",\"id\":\"" + UUID.randomUUID() + "\"}";

        Response response = given().baseUri(caller.url()).contentType("application/json").body(body)
                .when().post("/v1/invoke/echo");

        response.then().statusCode(200).contentType("application/json").body(equalTo(body));
        String correlationId = response.header("Mep-Correlation-Id");
        assertThat(correlationId).isNotBlank();
        TestApp.Received seen = app.receivedWith("Mep-Correlation-Id", correlationId).orElseThrow();
        assertThat(seen.header("Mep-Caller")).startsWith("/frontend/");
    }

    @Test
    void roundTripsABinaryBody() {
        byte[] body = new byte[256 * 1024];
        new Random(7).nextBytes(body);

        Response response = given().baseUri(caller.url()).contentType("application/octet-stream").body(body)
                .when().post("/v1/invoke/echo");

        response.then().statusCode(200).contentType("application/octet-stream");
        assertThat(response.asByteArray()).isEqualTo(body);
    }

    @Test
    void passesTheServingAppsFaultToTheCaller() {
        given().baseUri(caller.url()).contentType("text/plain").body("500 out of quotes")
                .when().post("/v1/invoke/status")
                .then().statusCode(500).contentType("text/plain").body(equalTo("out of quotes"));
    }

    @Test
    void returns504AtTheDeadlineWhenNoServingReplicaHasItsApp() {
        given().baseUri(caller.url()).header("Mep-Timeout", "2s").contentType("text/plain").body("hello")
                .when().post("/v1/invoke/gone")
                .then().statusCode(504).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:reply-timeout"));
    }

    @Test
    void returns404ForAnOperationOutsideTheContract() {
        given().baseUri(caller.url()).contentType("text/plain").body("hello")
                .when().post("/v1/invoke/transfer-money")
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:unknown-operation"));
    }
}
