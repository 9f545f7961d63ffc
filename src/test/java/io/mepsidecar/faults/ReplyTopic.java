package io.mepsidecar.faults;

import io.mepsidecar.testing.TopicReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** What the broker has on the calling app's reply topic: how many replies were produced, and to whom. */
record ReplyTopic(String bootstrap, String topic, int partitions) {

    /** Records appended to the topic so far: the sum of its partitions' end offsets. */
    long endOffsets() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000))) {
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
    }

    /** The caller instance ({@code ce_replyinstance}) each reply to this call on the topic is addressed to. */
    List<String> repliesTo(String correlationId) {
        return TopicReader.recordsWithKey(bootstrap, topic, correlationId).stream()
                .map(record -> TopicReader.header(record, "ce_replyinstance")).collect(Collectors.toList());
    }
}
