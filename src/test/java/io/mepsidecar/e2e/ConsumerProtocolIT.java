package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A service sidecar on Kafka's consumer group protocol (KIP-848, {@code KAFKA_GROUP_PROTOCOL=consumer}) serves and
 * stops like one on the classic protocol: the settings only the classic protocol takes are left out for it.
 */
class ConsumerProtocolIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.echo");
        app = TestApp.start();
        service = SidecarProcess.builder("kip848-service").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("echo").env("KAFKA_GROUP_PROTOCOL", "consumer").start();
        caller = SidecarProcess.builder("kip848-front").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).start();
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(caller, service, app, broker);
    }

    @Test
    void servesAndStopsOnTheConsumerGroupProtocol() {
        given().baseUri(caller.url()).contentType("text/plain").body("on KIP-848").post("/v1/invoke/echo")
                .then().statusCode(200).body(equalTo("on KIP-848"));
        assertThat(Metrics.value(service, "mep_consumer_restarts_total", "consumer=\"request\"")).isZero();

        service.terminate();

        assertThat(service.awaitExit(Duration.ofSeconds(30))).isPresent();
        assertThat(service.output()).contains("stopped taking and finishing work").doesNotContain("ConfigException");
    }
}
