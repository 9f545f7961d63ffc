package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Requests that are broken or hostile never stop the service role, and are not read again forever. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class PoisonRequestTest {

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void skipsBrokenRequestsAndKeepsServing() throws Exception {
        List<RecordMetadata> poison = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            poison.add(producer.send(request(Map.of())).get());
            poison.add(producer.send(request(Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(),
                    WireHeaders.REPLY_TO, "test-app.replies", WireHeaders.DEADLINE, "tomorrow"))).get());
            poison.add(producer.send(request(Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString()))).get());
            poison.add(producer.send(request(Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(),
                    WireHeaders.REPLY_TO, "test-app.replies",
                    WireHeaders.DEADLINE, "+300000000-01-01T00:00:00Z"))).get());
        }

        given().contentType("text/plain").body("after the poison").post("/v1/invoke/echo")
                .then().statusCode(200).body(equalTo("after the poison"));
        for (RecordMetadata record : poison) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            await().until(() -> KafkaTestResource.committedOffset("test-app", partition) > record.offset());
        }
    }

    @Test
    void skipsHeadersThatCannotReachTheAppWithoutLeakingTheInFlightGauge() throws Exception {
        String body = "unsafe-" + UUID.randomUUID();
        String deadline = Instant.now().plusSeconds(30).toString();
        List<Map<String, String>> unsafe = List.of(
                Map.of(WireHeaders.CORRELATION_ID, "r1\u0001", WireHeaders.REPLY_TO, "test-app.replies",
                        WireHeaders.DEADLINE, deadline),
                Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID() + "\r\nX: 1", WireHeaders.REPLY_TO,
                        "test-app.replies", WireHeaders.DEADLINE, deadline),
                Map.of(WireHeaders.CORRELATION_ID, "\u00e9t\u00e9-" + UUID.randomUUID(), WireHeaders.REPLY_TO,
                        "test-app.replies", WireHeaders.DEADLINE, deadline),
                Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(), WireHeaders.REPLY_TO,
                        "test-app.replies", WireHeaders.DEADLINE, deadline,
                        WireHeaders.CONTENT_TYPE, "text/plain\u0001"),
                Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(), WireHeaders.REPLY_TO,
                        "test-app.replies", WireHeaders.DEADLINE, deadline,
                        WireHeaders.SOURCE, "/front/\r\nX-Injected: 1"));
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            for (Map<String, String> headers : unsafe) {
                sent.add(producer.send(request(headers, body)).get());
            }
        }

        given().contentType("text/plain").body("after the unsafe headers").post("/v1/invoke/echo")
                .then().statusCode(200).body(equalTo("after the unsafe headers"));
        for (RecordMetadata record : sent) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            await().until(() -> KafkaTestResource.committedOffset("test-app", partition) > record.offset());
        }
        await().untilAsserted(() -> assertThat(Metrics.value(Metrics.scrape(metrics), "mep_calls_in_flight",
                "operation=\"echo\",role=\"service\"")).isZero());
        assertThat(KafkaTestResource.app().received()).noneMatch(r -> body.equals(new String(r.body(),
                StandardCharsets.UTF_8)));
    }

    private static ProducerRecord<String, byte[]> request(Map<String, String> headers) {
        return request(headers, "poison");
    }

    private static ProducerRecord<String, byte[]> request(Map<String, String> headers, String body) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("test.echo", UUID.randomUUID().toString(),
                body.getBytes(StandardCharsets.UTF_8));
        headers.forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        return record;
    }
}
