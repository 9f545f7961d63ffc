package io.mepsidecar.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * One real Kafka broker and one real local app, shared by every {@code @QuarkusTest} of a test profile (each profile
 * loads this class afresh, so each gets its own); all are stopped when the test JVM exits. Exposed as
 * {@code test.kafka.bootstrap} and {@code test.app.url}, which the test {@code application.properties} maps onto the
 * sidecar settings, so a test profile can still override them.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** Topics of the test contract, created up front so no consumer waits for auto-creation. */
    public static final String[] TOPICS = {"test.echo", "test.echo-later", "test.deferred", "test.status", "test.slow", "test.unserved", "test.notify",
        "test.gone", "test.gone-notify", "test.hold", "test.expiring", "test.stuck-notify", "test.spring-echo", "test.smallrye-echo", "test.spring-notify",
        "test-app.replies", "library.replies",
        "unreachable-app.replies"};

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;

    public static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            broker = EmbeddedKafkaBroker.start();
            broker.createTopics(2, TOPICS);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        }
        return broker;
    }

    public static synchronized TestApp app() {
        if (app == null) {
            app = TestApp.start();
            Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        }
        return app;
    }

    /** A producer to the shared broker, for tests that put records on the wire themselves. */
    public static KafkaProducer<String, byte[]> producer() {
        return broker().producer();
    }

    /**
     * Where the app's group stands on a partition: for a consumer group its committed offset, for a share group its
     * start offset (the first record not yet acknowledged); -1 when the group has none. Records below it are finished.
     */
    public static long groupPosition(String group, TopicPartition partition, boolean shareGroup) throws Exception {
        if (!shareGroup) {
            return committedOffset(group, partition);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker().bootstrapServers()))) {
            SharePartitionOffsetInfo info = admin.listShareGroupOffsets(Map.of(group,
                    new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group).get().get(partition);
            if (info == null) {
                return -1;
            }
            // The reported start offset trails the acknowledgements by one state write; a lag of 0 means every
            // record of the partition is acknowledged.
            return info.lag().orElse(1L) == 0 ? Long.MAX_VALUE : info.startOffset();
        }
    }

    /** The offset the consumer group has committed on a partition; -1 when none. */
    public static long committedOffset(String group, TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker().bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(partition);
            return offset == null ? -1 : offset.offset();
        }
    }

    @Override
    public Map<String, String> start() {
        return Map.of("test.kafka.bootstrap", broker().bootstrapServers(), "test.app.url", app().url());
    }

    @Override
    public void stop() {
        // shared by the whole run; stopped by the shutdown hooks
    }
}
