package io.mepsidecar.kafka;

import io.mepsidecar.testing.KafkaTestResource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A consumer loop outlives anything its iteration throws, an {@link Error} included, and says so meanwhile. */
class ConsumerLoopTest {

    @Test
    void aLoopThatDiesOfAnErrorIsUnhealthyMeanwhileThenRunsAgain() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FailingLoop loop = new FailingLoop(2);
        loop.meterRegistry = registry;
        loop.start("failing");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> loop.opened.get() >= 3 && loop.isHealthy());

            assertThat(loop.healthyWhenOpened).containsExactly(false, false, false);
            assertThat(loop.lastFailure()).contains("a defect in an iteration");
            assertThat(registry.get("mep.consumer.restarts").tag("consumer", "failing").counter().count())
                    .isEqualTo(2);
        } finally {
            loop.stop();
        }
    }

    /** Polls a real topic; its first {@code failures} iterations throw an Error. */
    private static final class FailingLoop extends ConsumerLoop {

        final AtomicInteger opened = new AtomicInteger();
        final List<Boolean> healthyWhenOpened = new CopyOnWriteArrayList<>();
        private final AtomicInteger failuresLeft;

        FailingLoop(int failures) {
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        protected Map<String, Object> consumerSettings() {
            return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestResource.broker().bootstrapServers(),
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        }

        @Override
        protected void open(Consumer<String, byte[]> consumer) {
            healthyWhenOpened.add(isHealthy());
            opened.incrementAndGet();
            consumer.assign(List.of(new TopicPartition("test.echo", 0)));
        }

        @Override
        protected void pollOnce(Consumer<String, byte[]> consumer) {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new Error("a defect in an iteration");
            }
            consumer.poll(Duration.ofMillis(100));
        }
    }
}
