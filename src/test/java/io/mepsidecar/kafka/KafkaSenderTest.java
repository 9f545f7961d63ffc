package io.mepsidecar.kafka;

import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The producer's two paths: a record to a topic not written to lately goes through the send thread (its send could
 * wait for metadata); once a record to it was acknowledged, the next is sent on the calling thread. Both arrive.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class KafkaSenderTest {

    @Inject
    KafkaSender sender;

    @Test
    void sendsInlineOnlyToATopicWrittenToLately() throws Exception {
        String topic = "test.sender-" + UUID.randomUUID();
        KafkaTestResource.broker().createTopics(1, topic);

        String first = send(topic, "first");
        String second = send(topic, "second");

        assertThat(first).as("thread of the first send").isEqualTo("mep-kafka-send");
        assertThat(second).as("thread of the second send").isEqualTo(Thread.currentThread().getName());
        assertThat(await().atMost(Duration.ofSeconds(10)).until(() -> TopicReader.recordsWithKey(
                KafkaTestResource.broker().bootstrapServers(), topic, "key"), records -> records.size() == 2))
                .extracting(record -> new String(record.value(), StandardCharsets.UTF_8))
                .containsExactly("first", "second");
    }

    @Test
    void aMissingTopicIsStillRefusedAtOnce() {
        CompletableFuture<?> sent = sender.send(new ProducerRecord<>("test.no-such-topic-" + UUID.randomUUID(),
                "key", "value".getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(MissingTopicException.class);
    }

    /** Sends one record, waits for its acknowledgement, and says on which thread it was handed to the producer. */
    private String send(String topic, String value) throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        sender.send(new ProducerRecord<>(topic, "key", value.getBytes(StandardCharsets.UTF_8)),
                () -> thread.set(Thread.currentThread().getName())).get(20, TimeUnit.SECONDS);
        return thread.get();
    }
}
