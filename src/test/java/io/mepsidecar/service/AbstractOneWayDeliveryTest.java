package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Ledger;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One-way messages are delivered however late they are read; only an operation's {@code expires} ages them out, into
 * the dead-letter topic. One the app takes but never answers in time is tried {@code mep.service.max-deliveries} times
 * (3 here), then dead-lettered.
 */
abstract class AbstractOneWayDeliveryTest {

    private static final Duration TWO_HOURS = Duration.ofHours(2);

    @Test
    void aOneWayMessageFarPastItsTimeoutIsStillDelivered() throws Exception {
        String id = UUID.randomUUID().toString();
        Instant old = Instant.now().minus(TWO_HOURS);

        produce("test.notify", id, old, "late but wanted");

        TestApp.Received seen = await().atMost(Duration.ofSeconds(20))
                .until(() -> KafkaTestResource.app().receivedWith("Mep-Correlation-Id", id).orElse(null),
                        received -> received != null);
        assertThat(seen.path()).isEqualTo("/notify");
        assertThat(new String(seen.body(), StandardCharsets.UTF_8)).isEqualTo("late but wanted");
    }

    @Test
    void aOneWayMessageOlderThanItsOperationsExpiresIsDeadLetteredNotDelivered() throws Exception {
        String expired = UUID.randomUUID().toString();
        String fresh = UUID.randomUUID().toString();

        produce("test.expiring", expired, Instant.now().minus(Duration.ofMinutes(2)), "stale");
        produce("test.expiring", fresh, Instant.now(), "fresh");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> KafkaTestResource.app().receivedWith("Mep-Correlation-Id", fresh).isPresent());
        ConsumerRecord<String, byte[]> letter = await().atMost(Duration.ofSeconds(20)).until(
                () -> deadLetter("test.expiring.dlq", expired), found -> found != null);
        assertThat(TopicReader.header(letter, "dead-letter-reason")).isEqualTo("expired");
        assertThat(TopicReader.header(letter, "dead-letter-topic")).isEqualTo("test.expiring");
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("stale");
        assertThat(KafkaTestResource.app().receivedWith("Mep-Correlation-Id", expired)).isEmpty();
    }

    @Test
    void aOneWayMessageTheAppNeverAnswersInTimeIsDeadLetteredAfterMaxDeliveries() {
        String id = given().contentType("text/plain").body("2000").post("/v1/invoke/stuck-notify")
                .then().statusCode(202).extract().header("Mep-Correlation-Id");

        ConsumerRecord<String, byte[]> letter = await().atMost(Duration.ofSeconds(30)).until(
                () -> deadLetter("test.stuck-notify.dlq", id), found -> found != null);
        assertThat(TopicReader.header(letter, "dead-letter-reason")).isEqualTo("delivery-failed");
        assertThat(Ledger.executions(id)).isEqualTo(3);
    }

    private static ConsumerRecord<String, byte[]> deadLetter(String topic, String correlationId) {
        List<ConsumerRecord<String, byte[]>> found = TopicReader.recordsWithHeader(
                KafkaTestResource.broker().bootstrapServers(), topic, WireHeaders.CORRELATION_ID, correlationId);
        return found.isEmpty() ? null : found.get(0);
    }

    /** A one-way record as a producer wrote it at {@code time}: its timestamp and deadline are that old. */
    private static void produce(String topic, String id, Instant time, String body) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, time.toEpochMilli(), id,
                body.getBytes(StandardCharsets.UTF_8));
        record.headers().add(WireHeaders.CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8));
        record.headers().add(WireHeaders.DEADLINE, time.plusSeconds(30).toString().getBytes(StandardCharsets.UTF_8));
        record.headers().add(WireHeaders.CONTENT_TYPE, "text/plain".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            producer.send(record).get();
        }
    }
}
