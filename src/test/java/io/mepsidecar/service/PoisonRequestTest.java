package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Requests that are broken or hostile never stop the service role, and are not read again forever. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class PoisonRequestTest {

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

    private static ProducerRecord<String, byte[]> request(Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("test.echo", UUID.randomUUID().toString(),
                "poison".getBytes(StandardCharsets.UTF_8));
        headers.forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        return record;
    }
}
