package io.mepsidecar.kafka;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Client settings: every {@code kafka.*} property (or {@code KAFKA_*} variable) passes through to the Kafka clients,
 * so TLS and SASL work as documented by Kafka; the settings the protocol depends on are enforced here.
 */
@ApplicationScoped
public class KafkaClientSettings {

    /** Settings of classic consumer groups that a share consumer refuses. */
    private static final List<String> CLASSIC_GROUP_ONLY = List.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, ConsumerConfig.GROUP_PROTOCOL_CONFIG,
            ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG);

    private final Map<String, Object> common;
    private final SidecarConfig config;
    private final SidecarIdentity identity;

    @Inject
    public KafkaClientSettings(@Identifier("default-kafka-broker") Map<String, Object> common, SidecarConfig config,
            SidecarIdentity identity) {
        this.common = Map.copyOf(common);
        this.config = config;
        this.identity = identity;
    }

    public Map<String, Object> producer() {
        Map<String, Object> props = base();
        long publishTimeout = config.caller().publishTimeout().toMillis();
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        long linger = Long.parseLong(props.get(ProducerConfig.LINGER_MS_CONFIG).toString());
        // An accepted message is never lost: full acknowledgement and no duplicates from retries.
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // A publish gives up within the publish timeout, so an unreachable broker is a quick 503, not a hang.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, publishTimeout);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) publishTimeout);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (publishTimeout + linger));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId("producer"));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** A consumer of the served request topics: group per app, offsets committed by the sidecar only. */
    public Map<String, Object> requestConsumer(int maxPollRecords) {
        Map<String, Object> props = consumer("requests");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, identity.appName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A request published before the group first joined must still be served.
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        // The consumer protocol (KIP-848, KAFKA_GROUP_PROTOCOL=consumer) assigns on the broker, incrementally, and
        // takes its session timeout from the broker: none of the classic settings below may be set for it.
        if (!"consumer".equalsIgnoreCase(String.valueOf(props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            // A rebalance moves only the partitions that move: the others keep serving (not "stop the world").
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            // A replica that dies without leaving (kill -9, OOM) holds its partitions until its session expires:
            // 10 s rather than Kafka's 45 s, so the others take over sooner. KAFKA_SESSION_TIMEOUT_MS overrides it.
            props.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
            props.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
        }
        return props;
    }

    /**
     * One of the share consumers of the served request topics (share-group mode): the app's share group, every
     * record acknowledged on its own, one record per poll, so that each consumer holds exactly the request it serves.
     * Settings a share consumer refuses (those of classic consumer groups) are left out.
     */
    public Map<String, Object> shareConsumer(int slot) {
        Map<String, Object> props = consumer("share-" + slot);
        CLASSIC_GROUP_ONLY.forEach(props::remove);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, identity.appName());
        props.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        props.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        return props;
    }

    /**
     * The consumer of the app's reply topic: a group of the app's caller replicas ({@code <reply-topic>} as group
     * id), each replica a static member ({@code group.instance.id} = its instance id), so that a sidecar restarted in
     * the same pod gets its partitions back and reads the replies that arrived while it was down.
     */
    public Map<String, Object> replyConsumer() {
        Map<String, Object> props = consumer("replies");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, identity.replyTopic());
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, identity.instanceId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A partition without a committed offset (new, added, or never used) is read from its beginning: a reply may
        // have landed there before the group assigned it. Replies too old to have a waiter are skipped by age.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Partitions added to the reply topic are seen (and assigned) within 10 s rather than Kafka's 5 minutes.
        props.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 10_000);
        if (!"consumer".equalsIgnoreCase(String.valueOf(props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            props.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
            props.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
        }
        return props;
    }

    /** The reader of the app's state topic: every replica reads all partitions, no group, from the beginning. */
    public Map<String, Object> stateConsumer() {
        Map<String, Object> props = consumer("state");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    public Map<String, Object> admin() {
        Map<String, Object> props = base();
        props.put("client.id", clientId("admin"));
        props.putIfAbsent("default.api.timeout.ms", 10_000);
        props.putIfAbsent("request.timeout.ms", 5_000);
        return props;
    }

    private Map<String, Object> consumer(String purpose) {
        Map<String, Object> props = base();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(purpose));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private Map<String, Object> base() {
        Map<String, Object> props = new HashMap<>(common);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    private String clientId(String purpose) {
        return "mep-" + identity.appName() + "-" + identity.instanceId() + "-" + purpose;
    }
}
