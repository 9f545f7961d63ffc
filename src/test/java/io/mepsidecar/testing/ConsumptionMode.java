package io.mepsidecar.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How the service role consumes its requests ({@code mep.service.consumption}); the end-to-end service tests run once
 * per mode ({@code @ParameterizedClass @EnumSource(ConsumptionMode.class)}) and ask the group through this what the
 * broker sees of it.
 */
public enum ConsumptionMode {

    CONSUMER_GROUP("consumer-group", Pattern.compile("-requests$")),
    SHARE_GROUP("share-group", Pattern.compile("-share-\\d+$"));

    private final String setting;
    private final Pattern clientIdSuffix;

    ConsumptionMode(String setting, Pattern clientIdSuffix) {
        this.setting = setting;
        this.clientIdSuffix = clientIdSuffix;
    }

    /** The value of {@code mep.service.consumption} ({@code MEP_SERVICE_CONSUMPTION}). */
    public String setting() {
        return setting;
    }

    /**
     * The replicas of the service that the broker gives work to: the {@code mep-<app>-<instance>} prefix of the client
     * id of each group member with partitions assigned.
     */
    public Set<String> replicasAtWork(String bootstrap, String group) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            if (this == CONSUMER_GROUP) {
                return admin.describeConsumerGroups(Set.of(group)).all().get().get(group).members().stream()
                        .filter(m -> !m.assignment().topicPartitions().isEmpty())
                        .map(m -> clientIdSuffix.matcher(m.clientId()).replaceFirst(""))
                        .collect(Collectors.toSet());
            }
            return admin.describeShareGroups(Set.of(group)).all().get().get(group).members().stream()
                    .filter(m -> !m.assignment().topicPartitions().isEmpty())
                    .map(m -> clientIdSuffix.matcher(m.clientId()).replaceFirst(""))
                    .collect(Collectors.toSet());
        }
    }

    /**
     * On a consumer group: true when the group is stable, every partition of {@code topic} is assigned and no member
     * is without partitions (one leaving, say), so no rebalance is still under way. A share group hands every
     * partition to every member: always true.
     */
    public boolean settled(String bootstrap, String group, String topic) throws Exception {
        if (this == SHARE_GROUP) {
            return true;
        }
        try (Admin admin = admin(bootstrap)) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(Set.of(group)).all().get().get(group);
            int partitions = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Set<TopicPartition> assigned = description.members().stream()
                    .flatMap(m -> m.assignment().topicPartitions().stream())
                    .filter(partition -> partition.topic().equals(topic)).collect(Collectors.toSet());
            return description.groupState() == GroupState.STABLE && assigned.size() == partitions
                    && description.members().stream().noneMatch(m -> m.assignment().topicPartitions().isEmpty());
        }
    }

    /** The client id prefix of a replica, as {@link #replicasAtWork} returns it. */
    public static String replica(String group, String instanceId) {
        return "mep-" + group + "-" + instanceId;
    }

    /**
     * Records of the topic that the group has not finished with: behind its committed offsets (consumer group), or
     * neither acknowledged nor dropped (share group: its lag).
     */
    public long unfinished(String bootstrap, String group, String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Set<TopicPartition> partitions = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toSet());
            long behind = 0;
            if (this == CONSUMER_GROUP) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                for (TopicPartition partition : partitions) {
                    long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get()
                            .get(partition).offset();
                    OffsetAndMetadata offset = committed.get(partition);
                    behind += end - (offset == null ? 0 : offset.offset());
                }
                return behind;
            }
            Map<TopicPartition, SharePartitionOffsetInfo> offsets;
            try {
                offsets = admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                        .partitionsToOffsetInfo(group).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    offsets = Map.of();
                } else {
                    throw e;
                }
            }
            for (TopicPartition partition : partitions) {
                SharePartitionOffsetInfo info = offsets.get(partition);
                if (info == null) {
                    behind += admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get()
                            .get(partition).offset();
                } else {
                    behind += info.lag().orElseThrow(() -> new IllegalStateException("no lag for " + partition));
                }
            }
            return behind;
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
