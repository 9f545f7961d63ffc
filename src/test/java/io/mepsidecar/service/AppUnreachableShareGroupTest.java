package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link AbstractAppUnreachableTest} on share groups, and what only share groups need: a request given back on the
 * last delivery the broker makes would be dropped by the broker. With the app away it is published again for another
 * replica (up to {@code mep.service.max-deliveries} times), else it goes to the dead-letter topic.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(AbstractAppUnreachableTest.AppDownOnShareGroups.class)
class AppUnreachableShareGroupTest extends AbstractAppUnreachableTest {

    @Inject
    RequestHandler handler;

    @Inject
    ServedOperations served;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aRequestHandedBackOnItsLastDeliveryBecauseTheAppIsAwayIsPublishedAgainNotDeadLettered() throws Exception {
        String id = UUID.randomUUID().toString();

        Disposition disposition = handler.handle(served.byTopic("test.gone").orElseThrow(),
                lastDelivery(id, null), new LastDelivery(3)).get(20, TimeUnit.SECONDS);

        assertThat(disposition).as("the original, once its copy is written").isEqualTo(Disposition.FINISHED);
        List<ConsumerRecord<String, byte[]>> copies = await().atMost(Duration.ofSeconds(10)).until(
                () -> TopicReader.recordsWithHeader(bootstrap, "test.gone", WireHeaders.CORRELATION_ID, id),
                l -> !l.isEmpty()).stream().sorted(Comparator.comparingLong(ConsumerRecord::offset)).toList();
        ConsumerRecord<String, byte[]> copy = copies.get(0);
        assertThat(TopicReader.header(copy, Requeues.HEADER)).isEqualTo("1");
        assertThat(TopicReader.header(copy, WireHeaders.REPLY_TO)).isEqualTo("caller.replies");
        assertThat(new String(copy.value(), StandardCharsets.UTF_8)).isEqualTo("{}");
        // This test's sidecar serves test.gone too, with its app away: the copy may be handed back and requeued
        // again, each time counting one more, and dead-lettered only once the requeues are used up (3 here).
        for (int i = 1; i < copies.size(); i++) {
            assertThat(TopicReader.header(copies.get(i), Requeues.HEADER)).isEqualTo(Integer.toString(i + 1));
        }
        assertThat(TopicReader.recordsWithHeader(bootstrap, "test.gone.dlq", WireHeaders.CORRELATION_ID, id))
                .as("dead letters").allSatisfy(letter -> assertThat(TopicReader.header(letter, "dead-letter-cause"))
                        .contains("after 3 requeues"));
    }

    @Test
    void aRequestRequeuedAsOftenAsItMayBeIsDeadLetteredOnItsLastDeliveryNotDropped() throws Exception {
        String id = UUID.randomUUID().toString();

        Disposition disposition = handler.handle(served.byTopic("test.gone").orElseThrow(),
                lastDelivery(id, "5"), new LastDelivery(3)).get(20, TimeUnit.SECONDS);

        assertThat(disposition).isEqualTo(Disposition.DEAD_LETTERED);
        List<ConsumerRecord<String, byte[]>> letters = await().atMost(Duration.ofSeconds(10)).until(
                () -> TopicReader.recordsWithHeader(bootstrap, "test.gone.dlq", WireHeaders.CORRELATION_ID, id),
                l -> !l.isEmpty());
        assertThat(TopicReader.header(letters.get(0), "dead-letter-reason")).isEqualTo("delivery-failed");
        assertThat(TopicReader.header(letters.get(0), "dead-letter-cause")).contains("after 5 requeues");
        assertThat(TopicReader.header(letters.get(0), "dead-letter-offset")).isEqualTo("7");
    }

    /** A request-reply record at offset 7, requeued {@code requeues} times before (none when null). */
    private static ConsumerRecord<String, byte[]> lastDelivery(String id, String requeues) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireHeaders.CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8));
        headers.add(WireHeaders.REPLY_TO, "caller.replies".getBytes(StandardCharsets.UTF_8));
        headers.add(WireHeaders.DEADLINE, Instant.now().plusSeconds(30).toString().getBytes(StandardCharsets.UTF_8));
        if (requeues != null) {
            headers.add(Requeues.HEADER, requeues.getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("test.gone", 0, 7L, 0L, TimestampType.CREATE_TIME, 0, 0, id,
                "{}".getBytes(StandardCharsets.UTF_8), headers, Optional.empty(), Optional.of((short) 3));
    }

    /** A record on the last delivery the share group makes. */
    private record LastDelivery(int deliveryCount) implements RecordLease {

        @Override
        public boolean isCurrent() {
            return true;
        }

        @Override
        public boolean countsDeliveries() {
            return true;
        }

        @Override
        public boolean isLastDelivery() {
            return true;
        }
    }
}
