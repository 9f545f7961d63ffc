package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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

    @Test
    void skipsBrokenRequestsAndKeepsServing() throws Exception {
        List<RecordMetadata> poison = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
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
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestResource.broker().bootstrapServers()))) {
            for (RecordMetadata record : poison) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                await().until(() -> committed(admin, partition) > record.offset());
            }
        }
    }

    private static ProducerRecord<String, byte[]> request(Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("test.echo", UUID.randomUUID().toString(),
                "poison".getBytes(StandardCharsets.UTF_8));
        headers.forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.broker().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    private static long committed(Admin admin, TopicPartition partition) throws Exception {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets("test-app").partitionsToOffsetAndMetadata().get()
                .get(partition);
        return offset == null ? -1 : offset.offset();
    }
}
