package io.mepsidecar.state;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.kafka.ConsumerLoop;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.kafka.KafkaSender;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.kafka.TopicInitializer;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The app's state topic ({@code mep.state.topic}, default {@code <app-name>.state}): a compacted topic, keyed by
 * {@code <kind>/<id>}, that holds what must outlive one sidecar — accepted asynchronous calls and their results,
 * idempotency keys, deferred and published replies (docs/decisions/0011). Every replica of the app reads all of it
 * from the beginning at start-up, before it takes calls or requests, and then follows it, handing each record to the
 * {@link StateHandler} of its kind. A {@link #write} completes once the record is back from the topic in this
 * replica's own view, so what a replica wrote it also reads.
 */
@ApplicationScoped
public class StateStore extends ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(StateStore.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PARTITION_CHECK = Duration.ofSeconds(30);

    @Inject
    KafkaClientSettings settings;

    @Inject
    SidecarIdentity identity;

    @Inject
    SidecarConfig config;

    @Inject
    KafkaSender sender;

    @Inject
    @Any
    Instance<StateHandler> handlerBeans;

    @Inject
    MeterRegistry registry;

    @Inject
    Vertx vertx;

    private List<StateHandler> handlers;
    /** Next offset to read, per partition; read by writers waiting for their record. */
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    /** Writes waiting to be read back, per partition, by offset. */
    private final Map<Integer, ConcurrentSkipListMap<Long, CompletableFuture<Void>>> readBack =
            new ConcurrentHashMap<>();
    private final CompletableFuture<Void> rebuilt = new CompletableFuture<>();
    /** Where the topic ended at start-up; touched by the loop thread only. */
    private Map<TopicPartition, Long> rebuildTargets;
    private long rebuildStartNanos;
    private long rebuildRecords;
    private long nextPartitionCheck;
    private Counter fetched;
    private Counter written;

    void onStart(@Observes StartupEvent event) {
        handlers = handlerBeans.stream().collect(Collectors.toList());
        fetched = Counter.builder("mep.state.records.fetched")
                .description("Records read from the app's state topic (every replica reads all of them)")
                .register(registry);
        written = Counter.builder("mep.state.records.written")
                .description("Records this sidecar wrote to the app's state topic").register(registry);
        rebuildStartNanos = System.nanoTime();
        start("state");
    }

    void onStop(@Observes @Priority(ShutdownOrder.PRODUCER - 1) ShutdownEvent event) {
        stop();
    }

    /** The state topic's name. */
    public String topic() {
        return config.state().topic().orElse(identity.appName() + ".state");
    }

    /** True once the topic was read up to where it ended at start-up. */
    public boolean isRebuilt() {
        return rebuilt.isDone();
    }

    /** Completes once the topic was read up to where it ended at start-up. */
    public CompletableFuture<Void> whenRebuilt() {
        return rebuilt;
    }

    /**
     * Writes an entry (a tombstone when {@code value} is null). Completes when the broker acknowledged it and this
     * replica read it back; fails after {@code mep.caller.publish-timeout} (twice: write, read back) otherwise.
     */
    public CompletableFuture<Void> write(String key, Map<String, String> headers, byte[] value) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic(), key, value);
        headers.forEach((name, text) -> RecordHeaders.put(record.headers(), name, text));
        long timeout = config.caller().publishTimeout().toMillis();
        CompletableFuture<Void> done = new CompletableFuture<>();
        sender.send(record).thenCompose(metadata -> {
            written.increment();
            return readBack(metadata.partition(), metadata.offset());
        }).whenComplete((read, error) -> {
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        });
        // a Vert.x timer, like every timeout of the sidecar (the producer's own delivery timeout bounds the send)
        long timer = vertx.setTimer(2 * timeout, id -> done.completeExceptionally(new TimeoutException(
                "state record " + key + " not written and read back within " + 2 * timeout + " ms")));
        done.whenComplete((read, error) -> vertx.cancelTimer(timer));
        return done;
    }

    private CompletableFuture<Void> readBack(int partition, long offset) {
        CompletableFuture<Void> read = new CompletableFuture<>();
        readBack.computeIfAbsent(partition, p -> new ConcurrentSkipListMap<>()).put(offset, read);
        if (positions.getOrDefault(partition, -1L) > offset) {
            read.complete(null); // the loop read past it before this waiter was added
            readBack.get(partition).remove(offset);
        }
        return read;
    }

    @Override
    protected Map<String, Object> consumerSettings() {
        return settings.stateConsumer();
    }

    @Override
    protected void open(Consumer<String, byte[]> consumer) {
        createTopicIfMissing();
        List<TopicPartition> partitions = partitionsOf(consumer);
        consumer.assign(partitions);
        for (TopicPartition partition : partitions) {
            Long position = positions.get(partition.partition());
            if (position == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, position);
            }
        }
        if (!isRebuilt() && rebuildTargets == null) {
            rebuildTargets = new HashMap<>(consumer.endOffsets(partitions, CLIENT_TIMEOUT));
            LOG.infof("reading state topic %s (%d partitions, %d records at most)", topic(), partitions.size(),
                    rebuildTargets.values().stream().mapToLong(Long::longValue).sum());
        }
        nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
        updatePositions(consumer);
    }

    @Override
    protected void pollOnce(Consumer<String, byte[]> consumer) {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
        for (ConsumerRecord<String, byte[]> record : records) {
            fetched.increment();
            rebuildRecords++;
            dispatch(record);
        }
        updatePositions(consumer);
        if (System.nanoTime() - nextPartitionCheck > 0) {
            nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
            List<TopicPartition> partitions = partitionsOf(consumer);
            List<TopicPartition> added = partitions.stream()
                    .filter(partition -> !consumer.assignment().contains(partition)).collect(Collectors.toList());
            if (!added.isEmpty()) {
                LOG.infof("state topic %s has %d partitions now; reading the new ones from their beginning",
                        topic(), partitions.size());
                consumer.assign(partitions);
                consumer.seekToBeginning(added);
            }
        }
    }

    private void updatePositions(Consumer<String, byte[]> consumer) {
        for (TopicPartition partition : consumer.assignment()) {
            long position = consumer.position(partition, CLIENT_TIMEOUT);
            positions.put(partition.partition(), position);
            ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiting = readBack.get(partition.partition());
            if (waiting != null) {
                Map<Long, CompletableFuture<Void>> done = waiting.headMap(position);
                done.values().forEach(read -> read.complete(null));
                done.clear();
            }
        }
        if (!isRebuilt() && rebuildTargets != null && rebuildTargets.entrySet().stream()
                .allMatch(target -> positions.getOrDefault(target.getKey().partition(), 0L) >= target.getValue())) {
            LOG.infof("state rebuilt from %s: %d records in %d ms", topic(), rebuildRecords,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rebuildStartNanos));
            handlers.forEach(StateHandler::rebuilt);
            rebuilt.complete(null);
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            LOG.warnf("ignored a record without key at %s-%d@%d", record.topic(), record.partition(), record.offset());
            return;
        }
        StateRecord entry = new StateRecord(record.key(), record.headers(), record.value(),
                Instant.ofEpochMilli(record.timestamp()));
        for (StateHandler handler : handlers) {
            if (record.key().startsWith(handler.prefix())) {
                try {
                    handler.apply(entry);
                } catch (RuntimeException e) { // one bad record must not stop the view
                    LOG.errorf(e, "could not apply state record %s at %s-%d@%d", record.key(), record.topic(),
                            record.partition(), record.offset());
                }
            }
        }
    }

    private List<TopicPartition> partitionsOf(Consumer<String, byte[]> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic(), CLIENT_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("state topic " + topic() + " does not exist; create it (compacted) or"
                    + " let the sidecar create it (mep.topics.create=true)");
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
    }

    private void createTopicIfMissing() {
        if (!config.topics().create()) {
            return;
        }
        long retention = config.state().retention().toMillis();
        // Segments roll at least hourly, so compaction (tombstones of expired entries) and retention can act on them;
        // tombstones stay an hour, long enough for every replica following the topic to read them.
        String hour = Long.toString(Math.min(retention, Duration.ofHours(1).toMillis()));
        Map<String, String> topicConfig = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + ","
                        + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention),
                TopicConfig.SEGMENT_MS_CONFIG, hour,
                TopicConfig.DELETE_RETENTION_MS_CONFIG, hour);
        TopicInitializer.createMissing(settings.admin(), Map.of(topic(), Optional.of(config.state().partitions())),
                topicConfig);
    }
}
