package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.kafka.ConsumerLoop;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.kafka.TopicInitializer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Consumes the served operations' topics in the app's consumer group and hands each request to
 * {@link RequestHandler}, at most {@code mep.service.max-concurrency} at once. When that many are in flight it
 * pauses fetching instead of buffering. Offsets are committed only up to the lowest request that is not finished.
 */
@ApplicationScoped
public class RequestListener extends ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(RequestListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    @Inject
    KafkaClientSettings settings;

    @Inject
    SidecarConfig config;

    @Inject
    ServedOperations served;

    @Inject
    RequestHandler handler;

    private final Queue<ConsumerRecord<String, byte[]>> waiting = new ArrayDeque<>();
    private final Queue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
    private volatile boolean backlog;
    private int inFlight;

    void onStart(@Observes StartupEvent event) {
        if (!served.isEmpty()) {
            LOG.infof("serving %s", served.all().stream().map(s -> s.operation().name() + " -> " + s.target())
                    .collect(Collectors.joining(", ")));
            start("mep-request-listener");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @Override
    protected Map<String, Object> consumerSettings() {
        return settings.requestConsumer(config.service().maxConcurrency());
    }

    @Override
    protected void open(Consumer<String, byte[]> consumer) {
        createTopicsIfMissing();
        consumer.subscribe(served.topics(), new Rebalance(consumer));
    }

    @Override
    protected void pollOnce(Consumer<String, byte[]> consumer) {
        settleFinished();
        dispatchWaiting();
        throttle(consumer);
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_TIMEOUT)) {
            trackers.computeIfAbsent(partition(record), p -> new OffsetTracker()).received(record.offset());
            waiting.add(record);
        }
        dispatchWaiting();
        settleFinished();
        commit(consumer, false);
    }

    @Override
    protected void closing(Consumer<String, byte[]> consumer) {
        settleFinished();
        commit(consumer, true);
        trackers.clear();
        waiting.clear();
    }

    private void dispatchWaiting() {
        int limit = config.service().maxConcurrency();
        while (inFlight < limit && !waiting.isEmpty()) {
            ConsumerRecord<String, byte[]> record = waiting.poll();
            ServedOperation operation = served.byTopic(record.topic()).orElseThrow();
            inFlight++;
            handler.handle(operation, record).whenComplete((ignored, error) -> {
                finished.add(new Finished(partition(record), record.offset(), error));
                if (backlog) {
                    wakeup();
                }
            });
        }
        backlog = !waiting.isEmpty();
    }

    private void throttle(Consumer<String, byte[]> consumer) {
        if (backlog) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    private void settleFinished() {
        Finished done;
        while ((done = finished.poll()) != null) {
            inFlight--;
            if (done.error() != null) {
                throw new IllegalStateException("the reply to the request at " + done.partition() + "@"
                        + done.offset() + " could not be published; it will be read again", done.error());
            }
            OffsetTracker tracker = trackers.get(done.partition());
            if (tracker != null) {
                tracker.finished(done.offset());
            }
        }
    }

    private void commit(Consumer<String, byte[]> consumer, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        trackers.forEach((partition, tracker) -> tracker.committable()
                .ifPresent(offset -> offsets.put(partition, new OffsetAndMetadata(offset))));
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    LOG.warnf("offset commit failed, requests may be delivered again: %s", error.toString());
                }
            });
        }
        offsets.forEach((partition, offset) -> trackers.get(partition).committed(offset.offset()));
    }

    private void createTopicsIfMissing() {
        if (!config.topics().create()) {
            return;
        }
        Map<String, Optional<Integer>> topics = served.topics().stream()
                .collect(Collectors.toMap(topic -> topic, topic -> Optional.empty()));
        try {
            TopicInitializer.createMissing(settings.admin(), topics);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create request topics " + topics.keySet() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static TopicPartition partition(ConsumerRecord<?, ?> record) {
        return new TopicPartition(record.topic(), record.partition());
    }

    private record Finished(TopicPartition partition, long offset, Throwable error) {
    }

    /** Commits what is finished before partitions go to another replica; drops what was not started. */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final Consumer<String, byte[]> consumer;

        Rebalance(Consumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            settleFinished();
            commit(consumer, true);
            partitions.forEach(trackers::remove);
            waiting.removeIf(record -> partitions.contains(partition(record)));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.infof("assigned %s", partitions);
        }
    }
}
