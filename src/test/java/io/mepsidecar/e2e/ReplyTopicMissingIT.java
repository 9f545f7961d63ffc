package io.mepsidecar.e2e;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * On a broker that does not create topics on first use, a request naming a reply topic that does not exist fails
 * for that record alone, at once: it is dead-lettered, and nothing else the sidecar publishes waits behind it (before,
 * each such reply held the one send thread for the publish timeout). In both consumption modes.
 */
@ParameterizedClass
@EnumSource(ConsumptionMode.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplyTopicMissingIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final int FORGED = 10;

    @Parameter
    ConsumptionMode mode;

    private EmbeddedKafkaBroker broker;
    private TestApp app;
    private SidecarProcess service;
    private SidecarProcess caller;

    @BeforeParameterizedClassInvocation
    void startTopology() {
        broker = EmbeddedKafkaBroker.start(Map.of("auto.create.topics.enable", "false"));
        broker.createTopics(2, "e2e.echo");
        app = TestApp.start();
        service = SidecarProcess.builder("missing-service").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("echo").consumption(mode).start();
        caller = SidecarProcess.builder("missing-front").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).start();
    }

    @AfterParameterizedClassInvocation
    void stopTopology() {
        Closer.closeAll(caller, service, app, broker);
    }

    @Test
    void aReplyToAMissingTopicIsDeadLetteredAtOnceAndHoldsUpNothingElse() throws Exception {
        List<String> forged = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = broker.producer()) {
            for (int i = 0; i < FORGED; i++) {
                String id = UUID.randomUUID().toString();
                forged.add(id);
                ProducerRecord<String, byte[]> record = new ProducerRecord<>("e2e.echo", id,
                        "to nowhere".getBytes(StandardCharsets.UTF_8));
                header(record, WireHeaders.CORRELATION_ID, id);
                header(record, WireHeaders.REPLY_TO, "nowhere.replies");
                header(record, WireHeaders.DEADLINE, Instant.now().plusSeconds(60).toString());
                producer.send(record);
            }
        }

        // With each reply holding the send thread for the 5 s publish timeout, this call could not finish in 3 s.
        given().baseUri(caller.url()).header("Mep-Timeout", "3s").contentType("text/plain").body("not held up")
                .post("/v1/invoke/echo").then().statusCode(200).body(equalTo("not held up"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Metrics.value(service, "mep_calls_total",
                "operation=\"echo\",role=\"service\",outcome=\"dead_lettered\"")).isEqualTo(FORGED));
        for (String id : forged) {
            assertThat(TopicReader.header(TopicReader.recordsWithHeader(broker.bootstrapServers(), "e2e.echo.dlq",
                    WireHeaders.CORRELATION_ID, id).get(0), "dead-letter-reason")).isEqualTo("reply-topic-missing");
        }
    }

    private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

}
