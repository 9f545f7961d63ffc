package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.Dialect;
import io.mepsidecar.contract.WireCorrelation;
import io.mepsidecar.contract.Hop;
import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.MediaTypes;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.kafka.ConsumerLoop;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.mepsidecar.kafka.TopicInitializer;
import io.mepsidecar.kafka.TraceHeaders;
import io.mepsidecar.observability.InvalidReplyReason;
import io.mepsidecar.observability.LogThrottle;
import io.mepsidecar.observability.SidecarMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import io.mepsidecar.state.StateStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Reads the replies meant for this replica and completes the waiting calls (docs/decisions/0011). The app's caller
 * replicas share its reply topic as one consumer group, each a static member under its instance id; every request
 * names a partition this replica owns ({@code ce_replypartition}), so each reply is fetched by one replica only. A
 * reply that lands elsewhere (its partition moved in a rebalance, or its replica is gone) is still used: a call the
 * state topic knows as accepted is completed there, and a reply for another live replica's call is passed on to it
 * through the state topic. Offsets are committed once what a reply led to is written, so a sidecar killed and
 * restarted in the same pod reads again, from its own partitions, every reply it had not finished.
 */
@ApplicationScoped
public class ReplyListener extends ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(ReplyListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STATE_WAIT = Duration.ofMillis(200);
    /** The least time between two partitions added to the reply topic by this replica. */
    private static final Duration GROWTH_PAUSE = Duration.ofSeconds(30);

    /** One warning a minute per reason a reply was dropped for. */
    private final Map<InvalidReplyReason, LogThrottle> warnings = new ConcurrentHashMap<>();

    @Inject
    KafkaClientSettings settings;

    @Inject
    SidecarIdentity identity;

    @Inject
    SidecarConfig config;

    @Inject
    Contract contract;

    @Inject
    PendingCalls pendingCalls;

    @Inject
    CallResults results;

    @Inject
    StateStore state;

    @Inject
    SidecarMetrics metrics;

    /** Partitions of the reply topic this replica owns now; requests name one of them. */
    private volatile List<Integer> owned = List.of();
    private final AtomicInteger nextPartition = new AtomicInteger();
    private volatile boolean ready;
    private long lastGrowthNanos = System.nanoTime() - GROWTH_PAUSE.toNanos();
    /** Since when this replica owns no partition; loop thread only. */
    private long emptySinceNanos;
    private boolean empty;

    /** The age beyond which a reply has no waiter anywhere: the longest timeout of the contract, and a minute. */
    private Duration oldest = Duration.ofMinutes(1);
    /** {@code mep.debug.hop-timestamps}: calls are traced, and their replies stamped. */
    private boolean traceHops;

    void onStart(@Observes StartupEvent event) {
        traceHops = config.debug().hopTimestamps();
        oldest = contract.operations().stream().map(Operation::timeout).max(Duration::compareTo)
                .orElse(Duration.ZERO).plus(Duration.ofMinutes(1));
        if (contract.operations().stream().anyMatch(op -> op.expectsReply())) {
            start("reply");
        }
    }

    void onStop(@Observes @Priority(ShutdownOrder.LISTENERS) ShutdownEvent event) {
        stop();
    }

    /** True once replies to new calls are sure to be read: the state is rebuilt and the group joined. */
    public boolean isReady() {
        return ready;
    }

    /**
     * The partition of the reply topic a new request names: one this replica owns, in turn; empty when it owns none
     * (the reply then goes to the partition of its key, and reaches this replica through the state topic).
     */
    public OptionalInt replyPartition() {
        List<Integer> mine = owned;
        return mine.isEmpty() ? OptionalInt.empty()
                : OptionalInt.of(mine.get(Math.floorMod(nextPartition.getAndIncrement(), mine.size())));
    }

    @Override
    protected Map<String, Object> consumerSettings() {
        return settings.replyConsumer();
    }

    @Override
    protected void open(Consumer<String, byte[]> consumer) {
        while (!state.isRebuilt()) { // the calls accepted before a restart must be known before their replies
            if (!pause(STATE_WAIT)) {
                throw new IllegalStateException("stopped before the state topic was read");
            }
        }
        createReplyTopicIfMissing();
        consumer.subscribe(List.of(identity.replyTopic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                owned = partitionsOf(consumer.assignment(), partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                owned = partitionsOf(consumer.assignment(), List.of());
                if (!ready) {
                    LOG.infof("reading replies from %s, partitions %s", identity.replyTopic(), owned);
                } else if (!partitions.isEmpty()) {
                    LOG.infof("reply partitions now %s", owned);
                }
                ready = true;
                if (owned.isEmpty() && !empty) {
                    empty = true;
                    emptySinceNanos = System.nanoTime();
                } else if (!owned.isEmpty()) {
                    empty = false;
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                onPartitionsRevoked(partitions);
            }
        });
    }

    @Override
    protected void pollOnce(Consumer<String, byte[]> consumer) {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
        // a rebalance hands out partitions in two rounds: only a replica still without one after a while lacks one
        if (empty && owned.isEmpty() && System.nanoTime() - emptySinceNanos > GROWTH_PAUSE.toNanos() / 2) {
            emptySinceNanos = System.nanoTime();
            noPartition();
        }
        if (records.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            metrics.replyFetched();
            accept(record).ifPresent(writes::add);
            offsets.put(new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1));
        }
        // Committed only once what the replies led to is kept: else they are read again after a restart.
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keeping replies", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // not committed: a new consumer reads these replies again from the last commit
            throw new IllegalStateException("replies could not be kept in the state topic: " + e, e);
        }
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error != null) {
                LOG.debugf("reply offsets not committed (read again after a restart): %s", error.toString());
            }
        });
    }

    @Override
    protected void closing(Consumer<String, byte[]> consumer) {
        ready = false;
        owned = List.of();
        if (!isRunning()) { // a stop, not a failure: leave the group so the others take the partitions at once
            consumer.close(CloseOptions.groupMembershipOperation(
                    CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(CLIENT_TIMEOUT));
        }
    }

    private static List<Integer> partitionsOf(Collection<TopicPartition> assignment,
            Collection<TopicPartition> leaving) {
        return assignment.stream().filter(partition -> !leaving.contains(partition))
                .map(TopicPartition::partition).sorted().collect(Collectors.toList());
    }

    /**
     * More replicas than partitions left this one without a partition: its replies reach it through the state
     * topic, at a cost; it adds a partition to the reply topic (when it may create topics), which the group then
     * assigns to it.
     */
    private void noPartition() {
        if (!config.topics().create() || System.nanoTime() - lastGrowthNanos < GROWTH_PAUSE.toNanos()) {
            LOG.warnf("this replica owns no partition of %s (more caller replicas than partitions): its replies"
                    + " reach it through the state topic; add partitions to %s", identity.replyTopic(),
                    identity.replyTopic());
            return;
        }
        lastGrowthNanos = System.nanoTime();
        try (Admin admin = Admin.create(settings.admin())) {
            int count = admin.describeTopics(List.of(identity.replyTopic())).allTopicNames()
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(identity.replyTopic())
                    .partitions().size();
            admin.createPartitions(Map.of(identity.replyTopic(), NewPartitions.increaseTo(count + 1))).all()
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("this replica owned no partition of %s: added partition %d", identity.replyTopic(), count);
        } catch (ExecutionException e) {
            LOG.warnf("could not add a partition to %s (%s): replies reach this replica through the state topic",
                    identity.replyTopic(), e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warnf("could not add a partition to %s in time", identity.replyTopic());
        }
    }

    private void createReplyTopicIfMissing() {
        if (!config.topics().create()) {
            return;
        }
        TopicInitializer.createMissing(settings.admin(),
                Map.of(identity.replyTopic(), Optional.of(config.topics().replyPartitions())));
    }

    /** Uses one reply; what it returns completes once what the reply led to is kept. */
    private Optional<CompletableFuture<Void>> accept(ConsumerRecord<String, byte[]> record) {
        Optional<WireCorrelation> correlation = WireCorrelation.read(record.headers());
        if (correlation.isEmpty()) {
            LOG.warnf("dropped a reply without a usable correlation id (%s) at %s-%d@%d", Dialect.CORRELATION_HEADERS,
                    record.topic(), record.partition(), record.offset());
            metrics.unmatchedReply(operationOf(record));
            return Optional.empty();
        }
        String id = correlation.get().id();
        String operation = operationOf(record, correlation.get());
        if (operation.equals(SidecarMetrics.UNKNOWN_OPERATION) && correlation.get().dialect() != Dialect.CLOUDEVENTS
                && record.headers().lastHeader(WireHeaders.TYPE) == null) {
            LOG.debugf("dropped %s reply %s: no call of an operation in that dialect waits for it here",
                    correlation.get().dialect().wireName(), id);
            metrics.unmatchedReply(operation); // a library's reply names no operation: one for a call elsewhere
            return Optional.empty();
        }
        if (Duration.between(Instant.ofEpochMilli(record.timestamp()), Instant.now()).compareTo(oldest) > 0) {
            metrics.unmatchedReply(operation); // older than any call's timeout: nobody can wait for it
            return Optional.empty();
        }
        if (traceHops) {
            stampHops(id, record);
        }
        OptionalInt status = finalStatus(RecordHeaders.get(record.headers(), WireHeaders.STATUS).orElse("200"));
        Optional<InvalidReplyReason> invalid = invalidity(record, operation, id, status);
        if (invalid.isPresent()) {
            metrics.invalidReply(operation, invalid.get());
            return Optional.empty();
        }
        Reply reply = replyOf(record, id, status.getAsInt());
        Optional<CompletableFuture<Void>> completed = pendingCalls.complete(id, reply)
                .or(() -> results.completeAccepted(id, reply));
        if (completed.isPresent()) {
            metrics.replyMatched(operation);
            return completed;
        }
        Optional<String> instance = RecordHeaders.get(record.headers(), WireHeaders.REPLY_INSTANCE);
        if (instance.isPresent() && !instance.get().equals(identity.instanceId())) {
            metrics.replyForwarded(operation);
            return Optional.of(results.forward(id, operation, reply));
        }
        LOG.debugf("dropped reply %s: no call waits for it", id);
        metrics.unmatchedReply(operation);
        return Optional.empty();
    }

    /**
     * A traced call waiting here is stamped at {@code reply-consumed} and takes the serving sidecar's stamps from the
     * reply, before the reply completes it (and its response is built, on this thread).
     */
    private void stampHops(String correlationId, ConsumerRecord<String, byte[]> record) {
        HopStamps hops = pendingCalls.find(correlationId).map(PendingCall::hops).orElse(null);
        if (hops != null) {
            hops.stamp(Hop.REPLY_CONSUMED);
            RecordHeaders.get(record.headers(), WireHeaders.HOPS)
                    .ifPresent(stamps -> hops.merge(stamps, Hop.Side.SERVICE));
        }
    }

    /**
     * Why a reply may not complete its call, if it may not: its {@code ce_type} is not the reply of the operation the
     * call is waiting for (or, for a call of another replica, of no operation of the contract), or its status is not
     * a final HTTP status (200-599: a 1xx would leave the caller's HTTP client waiting for the real response). Such a
     * reply is dropped and counted; the call keeps waiting for a usable one until its timeout.
     */
    private Optional<InvalidReplyReason> invalidity(ConsumerRecord<String, byte[]> record, String claimed,
            String correlationId, OptionalInt status) {
        Optional<String> expected = expectedOperation(correlationId);
        if (claimed.equals(SidecarMetrics.UNKNOWN_OPERATION)
                || expected.isPresent() && !expected.get().equals(claimed)) {
            warnOrDebug(InvalidReplyReason.TYPE, "dropped reply %s: its %s '%s' is not the reply of operation '%s'",
                    correlationId, WireHeaders.TYPE,
                    abbreviate(RecordHeaders.get(record.headers(), WireHeaders.TYPE).orElse("")),
                    expected.orElse("(a contract operation)"));
            return Optional.of(InvalidReplyReason.TYPE);
        }
        if (status.isEmpty()) {
            warnOrDebug(InvalidReplyReason.STATUS,
                    "dropped reply %s: its %s '%s' is not a final HTTP status (200-599)", correlationId,
                    WireHeaders.STATUS, abbreviate(RecordHeaders.get(record.headers(), WireHeaders.STATUS).orElse("")));
            return Optional.of(InvalidReplyReason.STATUS);
        }
        return Optional.empty();
    }

    /**
     * The reply as the caller will see it, with its (checked) status and trace context; a content type that is not a
     * media type is answered as bytes.
     */
    private Reply replyOf(ConsumerRecord<String, byte[]> record, String correlationId, int status) {
        String contentType = RecordHeaders.get(record.headers(), WireHeaders.CONTENT_TYPE).orElse(null);
        if (contentType != null && !MediaTypes.isValid(contentType)) {
            LOG.warnf("reply %s has a content type that is not a media type; answered as %s", correlationId,
                    MediaType.APPLICATION_OCTET_STREAM);
            contentType = MediaType.APPLICATION_OCTET_STREAM;
        }
        return new Reply(status, contentType, record.value() == null ? new byte[0] : record.value(),
                appDuration(record), TraceHeaders.read(record.headers()));
    }

    /**
     * The operation a reply answers. A reply without {@code ce_type} whose correlation header is of another dialect
     * than CloudEvents comes from a Spring or SmallRye service, which knows nothing of operations: it answers the
     * operation of the call it names, if that operation is in the same dialect.
     */
    private String operationOf(ConsumerRecord<String, byte[]> record, WireCorrelation correlation) {
        if (correlation.dialect() == Dialect.CLOUDEVENTS || record.headers().lastHeader(WireHeaders.TYPE) != null) {
            return operationOf(record);
        }
        return expectedOperation(correlation.id()).flatMap(contract::find).filter(op -> op.dialect() == correlation.dialect()).map(Operation::name)
                .orElse(SidecarMetrics.UNKNOWN_OPERATION);
    }

    /** The operation a call waits for a reply of: a call in memory here, or an accepted one the state knows. */
    private Optional<String> expectedOperation(String correlationId) {
        return pendingCalls.find(correlationId).map(call -> call.operation().name())
                .or(() -> results.acceptedOperation(correlationId));
    }

    private String operationOf(ConsumerRecord<String, byte[]> record) {
        return RecordHeaders.get(record.headers(), WireHeaders.TYPE)
                .filter(type -> type.endsWith(WireHeaders.REPLY_TYPE_SUFFIX))
                .map(type -> type.substring(0, type.length() - WireHeaders.REPLY_TYPE_SUFFIX.length()))
                .filter(name -> contract.find(name).isPresent())
                .orElse(SidecarMetrics.UNKNOWN_OPERATION);
    }

    private static Duration appDuration(ConsumerRecord<String, byte[]> record) {
        try {
            return RecordHeaders.get(record.headers(), WireHeaders.APP_DURATION).map(Duration::parse).orElse(null);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static OptionalInt finalStatus(String text) {
        try {
            int status = Integer.parseInt(text.trim());
            return status >= 200 && status <= 599 ? OptionalInt.of(status) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The first dropped reply of a reason in a minute is a warning, the others are logged at debug: whoever can write
     * to the reply topic cannot flood the log (the counter has every one).
     */
    private void warnOrDebug(InvalidReplyReason reason, String format, Object... params) {
        if (warnings.computeIfAbsent(reason, r -> new LogThrottle(Duration.ofMinutes(1))).due()) {
            LOG.warnf(format + " (more of these within a minute are logged at debug level)", params);
        } else {
            LOG.debugf(format, params);
        }
    }

    private static String abbreviate(String text) {
        String printable = text.replaceAll("[^ -~]", "?");
        return printable.length() <= 20 ? printable : printable.substring(0, 20) + "...";
    }
}
