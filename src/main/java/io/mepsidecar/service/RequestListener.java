package io.mepsidecar.service;

import io.mepsidecar.app.LocalApp;
import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarConfig.Consumption;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.kafka.ConsumerLoop;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.lifecycle.Draining;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.mepsidecar.observability.SidecarMetrics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Consumes the served operations' topics in the app's consumer group and hands each request to
 * {@link RequestHandler}, at most {@code mep.service.max-concurrency} at once. Only the loop thread touches the
 * consumer and the state below; request threads only post to {@link #finished}. docs/architecture.md has the
 * invariants; in short:
 * <ul>
 * <li>offsets are committed up to the lowest request of the partition that is not finished;</li>
 * <li>at the concurrency limit the partitions are paused instead of records buffered (one poll at most waits);</li>
 * <li>a request finishing for an old assignment of its partition ({@link PartitionState}) changes nothing;</li>
 * <li>partitions are given up only after their requests in flight finished, or {@code mep.shutdown.grace} passed;</li>
 * <li>while the app is unavailable, or after a request was handed back unserved, the replica is not in the group:
 * its partitions, and the requests not finished on them, go to the other replicas; it joins again when the app
 * takes requests.</li>
 * </ul>
 */
@ApplicationScoped
public class RequestListener extends ConsumerLoop implements Draining {

    private static final Logger LOG = Logger.getLogger(RequestListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration SHORT_WAIT = Duration.ofMillis(200);
    private static final Duration REJOIN_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_REJOIN_DELAY = Duration.ofSeconds(30);
    /** A membership this long is stable: the next leave waits the shortest rejoin delay again. */
    private static final Duration STABLE_MEMBERSHIP = Duration.ofSeconds(30);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
    private static final long LAG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    @Inject
    SidecarIdentity identity;

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

    @Inject
    LocalApp app;

    private final Queue<ConsumerRecord<String, byte[]>> waiting = new ArrayDeque<>();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile Instant drainDeadline;
    private int inFlight;
    private boolean subscribed;
    private boolean leaveRequested;
    private boolean rebalanceCounted;
    private Instant leftAt = Instant.MIN;
    private Instant joinedAt = Instant.MIN;
    private Duration rejoinDelay = REJOIN_DELAY;
    private long lagMeasuredAt;
    private long committedAt;

    private volatile boolean started;

    /** Starts consuming in the consumer-group mode; called once by {@link ServiceConsumption}. */
    void start() {
        started = true;
        start("request");
    }

    void onStop(@Observes @Priority(ShutdownOrder.LISTENERS) ShutdownEvent event) {
        if (started) {
            stop();
        }
    }

    /** From SIGTERM on: takes no new request, lets those in flight finish by the deadline, then leaves the group. */
    @Override
    public CompletableFuture<Void> drain(Instant deadline) {
        if (!started) {
            return CompletableFuture.completedFuture(null);
        }
        drainDeadline = deadline;
        if (!isHealthy()) {
            drained.complete(null); // no working consumer: nothing to commit, nothing to hand over
        }
        interruptPause();
        return drained;
    }

    @Override
    protected Map<String, Object> consumerSettings() {
        return settings.requestConsumer(config.service().maxConcurrency());
    }

    @Override
    protected void open(Consumer<String, byte[]> consumer) {
        subscribed = false;
    }

    @Override
    protected String describe(Throwable failure) {
        if (failure instanceof InconsistentGroupProtocolException) {
            return ServiceConsumption.otherKind(identity.appName(), Consumption.SHARE_GROUP) + " (" + failure + ")";
        }
        return failure.toString();
    }

    @Override
    protected void pollOnce(Consumer<String, byte[]> consumer) {
        rebalanceCounted = false;
        if (drainDeadline != null) {
            drainStep(consumer);
            return;
        }
        if (subscribed && (leaveRequested || !app.isAvailable())) {
            leave(consumer);
            return;
        }
        if (!subscribed) {
            if (!app.isAvailable() || Instant.now().isBefore(leftAt.plus(rejoinDelay))) {
                settleFinished();
                noPartitions();
                pause(SHORT_WAIT);
                return;
            }
            consumer.subscribe(served.topics(), new Rebalance(consumer));
            subscribed = true;
            joinedAt = Instant.now();
        }
        if (waiting.isEmpty()) {
            receive(consumer.poll(POLL_TIMEOUT));
        } else {
            awaitFinished(SHORT_WAIT);
            // Keeps the membership fresh. Paused partitions return nothing, but one assigned within this poll is
            // not paused yet: what it returns is taken too, or a later commit could pass over it.
            receive(consumer.poll(Duration.ZERO));
        }
        settleFinished();
        dispatchWaiting();
        throttle(consumer);
        commitNow(consumer, false);
        measureLag(consumer);
    }

    @Override
    protected void closing(Consumer<String, byte[]> consumer) {
        try {
            settleFinished();
            commit(consumer, partitions.keySet());
        } finally {
            partitions.values().forEach(PartitionState::end);
            partitions.clear();
            waiting.clear();
            subscribed = false;
            leaveRequested = false;
            served.all().forEach(s -> metrics.consumerLag(s.operation().name()).set(SidecarMetrics.LAG_UNKNOWN));
        }
    }

    /**
     * Gives the partitions to the other replicas: the app is away, or a request went back unserved (its offset stays
     * uncommitted, so whoever takes the partition next reads it again). Requests in flight finish first (the
     * revocation waits for them).
     */
    private void leave(Consumer<String, byte[]> consumer) {
        LOG.infof("leaving consumer group %s: %s", config.appName(), app.isAvailable()
                ? "a request went back unserved" : "the app does not take requests");
        handOver(consumer);
        subscribed = false;
        leaveRequested = false;
        // A replica that leaves again soon after it joined waits longer each time (1 s doubling to 30 s), so an
        // app that flaps does not rebalance the group every second.
        rejoinDelay = Instant.now().isBefore(joinedAt.plus(STABLE_MEMBERSHIP))
                ? doubled(rejoinDelay, MAX_REJOIN_DELAY) : REJOIN_DELAY;
        leftAt = Instant.now();
        waiting.clear();
    }

    /**
     * Leaves the group with what finished committed. The requests in flight finish first (bounded) and the commit is
     * made here, not only in the revocation: when a rebalance is under way, Kafka reports the partitions of a
     * leaving member lost, not revoked, and nothing would be committed there.
     */
    private void handOver(Consumer<String, byte[]> consumer) {
        waiting.clear();
        awaitInFlight(partitions.keySet());
        commit(consumer, partitions.keySet());
        consumer.unsubscribe(); // calls Rebalance.onPartitionsRevoked (or Lost) on this thread
    }

    /** One step of the stop: no new request; once none is in flight (or the deadline passed), commit and leave. */
    private void drainStep(Consumer<String, byte[]> consumer) {
        if (drained.isDone()) {
            pause(SHORT_WAIT);
            return;
        }
        waiting.clear();
        if (subscribed) {
            consumer.pause(consumer.assignment());
        }
        settleFinished();
        if (inFlight > 0 && Instant.now().isBefore(drainDeadline)) {
            if (subscribed) {
                receive(consumer.poll(Duration.ZERO)); // keeps the membership while the app finishes
                waiting.clear();
                commitNow(consumer, false);
            }
            awaitFinished(SHORT_WAIT);
            return;
        }
        if (inFlight > 0) {
            LOG.warnf("stopping with %d requests unfinished at the app; they will be delivered again", inFlight);
        }
        if (subscribed) {
            handOver(consumer); // commits what finished and hands the partitions to the other replicas now
            subscribed = false;
        }
        drained.complete(null);
    }

    private void receive(Iterable<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            PartitionState state = partitions.get(partition(record));
            if (state != null) {
                state.offsets.received(record.offset());
                waiting.add(record);
            }
        }
    }

    private void dispatchWaiting() {
        int limit = config.service().maxConcurrency();
        while (inFlight < limit && !waiting.isEmpty() && app.isAvailable()) {
            ConsumerRecord<String, byte[]> record = waiting.poll();
            TopicPartition partition = partition(record);
            PartitionState state = partitions.get(partition);
            if (state == null) {
                continue; // given up since it was received
            }
            ServedOperation operation = served.byTopic(record.topic()).orElseThrow();
            inFlight++;
            state.inFlight++;
            CompletableFuture<Disposition> handled;
            try {
                handled = handler.handle(operation, record, state);
            } catch (RuntimeException e) { // a defect: the record is read again, and the counts stay right
                LOG.errorf(e, "the request at %s@%d could not be handled", partition, record.offset());
                handled = CompletableFuture.completedFuture(Disposition.UNFINISHED);
            }
            handled.whenComplete((disposition, error) -> finished.add(new Finished(state, partition,
                    record.offset(), error == null ? disposition : Disposition.UNFINISHED)));
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

    private void settleFinished() {
        Finished done;
        while ((done = finished.poll()) != null) {
            inFlight--;
            done.state().inFlight--;
            if (partitions.get(done.partition()) != done.state()) {
                continue; // an old assignment of the partition: its commit is no longer this replica's
            }
            if (done.disposition() != Disposition.UNFINISHED) {
                done.state().offsets.finished(done.offset());
            } else {
                leaveRequested = true;
            }
        }
    }

    /** Waits (bounded) until no request of these partitions is in flight, settling what finishes meanwhile. */
    private void awaitInFlight(Collection<TopicPartition> given) {
        Instant until = Instant.now().plus(config.shutdown().grace());
        if (drainDeadline != null && drainDeadline.isBefore(until)) {
            until = drainDeadline;
        }
        while (inFlightOn(given) > 0 && Instant.now().isBefore(until) && !Thread.currentThread().isInterrupted()) {
            awaitFinished(Duration.ofMillis(Math.min(SHORT_WAIT.toMillis(),
                    Math.max(1, Duration.between(Instant.now(), until).toMillis()))));
            settleFinished();
        }
        int left = inFlightOn(given);
        if (left > 0) {
            LOG.warnf("gave up %s with %d requests still at the app; the next owner reads them again", given, left);
        }
    }

    private int inFlightOn(Collection<TopicPartition> given) {
        return given.stream().map(partitions::get).filter(s -> s != null).mapToInt(s -> s.inFlight).sum();
    }

    private void commitNow(Consumer<String, byte[]> consumer, boolean force) {
        if (force || System.nanoTime() - committedAt >= COMMIT_INTERVAL_NANOS) {
            committedAt = System.nanoTime(); // at most every 100 ms: one broker write per batch, not per request
            Map<TopicPartition, OffsetAndMetadata> offsets = committable(partitions.keySet());
            if (!offsets.isEmpty()) {
                Map<TopicPartition, PartitionState> states = new HashMap<>(partitions);
                consumer.commitAsync(offsets, (committed, error) -> {
                    if (error == null) { // only for the assignment the offsets came from
                        committed.forEach((partition, offset) -> {
                            if (partitions.get(partition) == states.get(partition)) {
                                committed(partition, offset);
                            }
                        });
                    } else {
                        LOG.debugf("offset commit failed, it is tried again: %s", error.toString());
                    }
                });
            }
        }
    }

    /** Commits synchronously (bounded), e.g. before partitions go to another replica. Never throws. */
    private void commit(Consumer<String, byte[]> consumer, Collection<TopicPartition> which) {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(which);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            commitSync(consumer, offsets);
            offsets.forEach(this::committed);
        } catch (RuntimeException e) {
            LOG.warnf("committing %s failed; requests after the last commit will be delivered again: %s",
                    offsets, e.toString());
        }
    }

    /** A wakeup meant for a poll (at shutdown) must not cost the commit: it is made once more. */
    private static void commitSync(Consumer<String, byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets, COMMIT_TIMEOUT);
        } catch (WakeupException e) {
            consumer.commitSync(offsets, COMMIT_TIMEOUT);
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> which) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : which) {
            PartitionState state = partitions.get(partition);
            if (state != null) {
                state.offsets.committable().ifPresent(offset -> offsets.put(partition, new OffsetAndMetadata(offset)));
            }
        }
        return offsets;
    }

    private void committed(TopicPartition partition, OffsetAndMetadata offset) {
        PartitionState state = partitions.get(partition);
        if (state != null) {
            state.offsets.committed(offset.offset());
        }
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

    /** Out of the group, this replica reads nothing: its lag is 0. */
    private void noPartitions() {
        served.all().forEach(s -> metrics.consumerLag(s.operation().name()).set(0));
    }

    private static TopicPartition partition(ConsumerRecord<?, ?> record) {
        return new TopicPartition(record.topic(), record.partition());
    }

    private record Finished(PartitionState state, TopicPartition partition, long offset, Disposition disposition) {
    }

    /**
     * Partitions coming and going (cooperative: only those that move). Revoked: the requests in flight on them
     * finish first (bounded), then what finished is committed. Lost: another replica may own them already, nothing is
     * committed. Runs on the loop thread, inside {@code poll} or {@code unsubscribe}.
     */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final Consumer<String, byte[]> consumer;

        Rebalance(Consumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            counted();
            try {
                waiting.removeIf(record -> revoked.contains(partition(record)));
                awaitInFlight(revoked);
                settleFinished();
                commit(consumer, revoked);
            } finally {
                forget(revoked);
            }
            LOG.infof("gave up %s", revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            if (!lost.isEmpty()) {
                counted();
                forget(lost);
                LOG.warnf("lost %s; requests on them that were not committed are read again by their new owner", lost);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            counted();
            assigned.forEach(partition -> partitions.put(partition, new PartitionState()));
            LOG.infof("assigned %s", assigned);
        }

        /** One count per rebalance that moved partitions of this replica, whatever the callbacks it took. */
        private void counted() {
            if (!rebalanceCounted) {
                rebalanceCounted = true;
                metrics.rebalanced();
            }
        }

        private void forget(Collection<TopicPartition> given) {
            metrics.partitionsGivenUp(given.size());
            waiting.removeIf(record -> given.contains(partition(record)));
            for (TopicPartition partition : given) {
                PartitionState state = partitions.remove(partition);
                if (state != null) {
                    state.end();
                }
            }
        }
    }
}
