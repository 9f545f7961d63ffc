package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.kafka.ConsumerLoop;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.kafka.ShutdownOrder;
import io.mepsidecar.kafka.TopicInitializer;
import io.mepsidecar.observability.SidecarMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Consumes the served operations' topics in the app's consumer group and hands each request to
 * {@link RequestHandler}, at most {@code mep.service.max-concurrency} at once. When that many are in flight it
 * pauses fetching instead of buffering, and waits for a request to finish. Offsets are committed only up to the
 * lowest request that is not finished. Only the loop thread touches the consumer.
 */
@ApplicationScoped
public class RequestListener extends ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(RequestListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration BACKLOG_WAIT = Duration.ofMillis(200);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    private static final long LAG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    @Inject
    KafkaClientSettings settings;

    @Inject
    SidecarConfig config;

    @Inject
    ServedOperations served;

    @Inject
    RequestHandler handler;

    @Inject
    SidecarMetrics metrics;

    private final Queue<ConsumerRecord<String, byte[]>> waiting = new ArrayDeque<>();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
    private int inFlight;
    private long lagMeasuredAt;
    private long committedAt;

    void onStart(@Observes StartupEvent event) {
        if (!served.isEmpty()) {
            LOG.infof("serving %s", served.all().stream().map(s -> s.operation().name() + " -> " + s.target())
                    .collect(Collectors.joining(", ")));
            start("mep-request-listener");
        }
    }

    void onStop(@Observes @Priority(ShutdownOrder.LISTENERS) ShutdownEvent event) {
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
        if (waiting.isEmpty()) {
            receive(consumer.poll(POLL_TIMEOUT));
        } else {
            awaitFinished(BACKLOG_WAIT);
            consumer.poll(Duration.ZERO); // paused: returns nothing, keeps the group membership fresh
        }
        settleFinished();
        dispatchWaiting();
        throttle(consumer);
        if (System.nanoTime() - committedAt >= COMMIT_INTERVAL_NANOS) {
            commit(consumer, false); // at most every 100 ms: one broker write per batch, not per request
            committedAt = System.nanoTime();
        }
        measureLag(consumer);
    }

    /** Publishes the consumer's lag per operation, at most once a second; read from the consumer's own state. */
    private void measureLag(Consumer<String, byte[]> consumer) {
        long now = System.nanoTime();
        if (now - lagMeasuredAt < LAG_INTERVAL_NANOS) {
            return;
        }
        lagMeasuredAt = now;
        Map<String, Long> lagByTopic = new HashMap<>();
        Set<String> unknown = new HashSet<>();
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isPresent()) {
                lagByTopic.merge(partition.topic(), lag.getAsLong(), Long::sum);
            } else {
                unknown.add(partition.topic());
            }
        }
        // A topic whose lag is not known locally keeps its last value rather than dropping to 0.
        served.all().stream().filter(s -> !unknown.contains(s.operation().topic()))
                .forEach(s -> metrics.consumerLag(s.operation().name())
                        .set(lagByTopic.getOrDefault(s.operation().topic(), 0L)));
    }

    @Override
    protected void closing(Consumer<String, byte[]> consumer) {
        try {
            if (!isRunning()) {
                drain();
            }
            settleFinished();
            commit(consumer, true);
        } finally {
            trackers.clear();
            waiting.clear();
        }
    }

    private void receive(Iterable<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            trackers.computeIfAbsent(partition(record), p -> new OffsetTracker()).received(record.offset());
            waiting.add(record);
        }
    }

    private void dispatchWaiting() {
        int limit = config.service().maxConcurrency();
        while (inFlight < limit && !waiting.isEmpty()) {
            ConsumerRecord<String, byte[]> record = waiting.poll();
            ServedOperation operation = served.byTopic(record.topic()).orElseThrow();
            inFlight++;
            handler.handle(operation, record).whenComplete((ignored, error) ->
                    finished.add(new Finished(partition(record), record.offset(), error)));
        }
    }

    private void throttle(Consumer<String, byte[]> consumer) {
        if (!waiting.isEmpty()) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    /** Waits until one in-flight request finishes, or the time passes; the result is settled by the caller. */
    private void awaitFinished(Duration timeout) {
        try {
            Finished done = finished.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (done != null) {
                finished.add(done);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** At shutdown: stop fetching and give in-flight requests a bounded time to finish, so they are committed. */
    private void drain() {
        waiting.clear();
        Instant until = Instant.now().plus(DRAIN_TIMEOUT);
        while (inFlight > 0 && Instant.now().isBefore(until) && !Thread.currentThread().isInterrupted()) {
            awaitFinished(Duration.between(Instant.now(), until));
            settleFinished();
        }
        if (inFlight > 0) {
            LOG.warnf("stopped with %d requests in flight; they will be delivered again", inFlight);
        }
    }

    private void settleFinished() {
        Finished done;
        IllegalStateException failure = null;
        while ((done = finished.poll()) != null) {
            inFlight--;
            OffsetTracker tracker = trackers.get(done.partition());
            if (done.error() == null) {
                if (tracker != null) {
                    tracker.finished(done.offset());
                }
            } else if (tracker != null && failure == null) {
                failure = new IllegalStateException("the request at " + done.partition() + "@" + done.offset()
                        + " must be read again: " + done.error().getMessage(), done.error());
            }
        }
        if (failure != null) {
            throw failure;
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
            commitSync(consumer, offsets);
            committed(offsets);
        } else {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error == null) {
                    committed(committed);
                } else {
                    LOG.warnf("offset commit failed, it will be retried: %s", error.toString());
                }
            });
        }
    }

    /** A wakeup meant for a poll (at shutdown) must not cost the last commit. */
    private static void commitSync(Consumer<String, byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            consumer.commitSync(offsets);
        }
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            OffsetTracker tracker = trackers.get(partition);
            if (tracker != null) {
                tracker.committed(offset.offset());
            }
        });
    }

    private void createTopicsIfMissing() {
        if (!config.topics().create()) {
            return;
        }
        Map<String, Optional<Integer>> topics = served.topics().stream()
                .collect(Collectors.toMap(topic -> topic, topic -> Optional.empty()));
        TopicInitializer.createMissing(settings.admin(), topics);
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
            try {
                settleFinished();
                commit(consumer, true);
            } finally {
                forget(partitions);
            }
        }

        /** Lost, not revoked: another replica may own them already, so nothing is committed for them. */
        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.infof("assigned %s", partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            partitions.forEach(trackers::remove);
            waiting.removeIf(record -> partitions.contains(partition(record)));
        }
    }
}
