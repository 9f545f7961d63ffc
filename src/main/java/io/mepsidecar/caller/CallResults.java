package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.observability.InvalidReplyReason;
import io.mepsidecar.observability.SidecarMetrics;
import io.mepsidecar.state.StateHeaders;
import io.mepsidecar.memory.BoundedCache;
import io.mepsidecar.state.StateHandler;
import io.mepsidecar.state.StateRecord;
import io.mepsidecar.state.StateStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The asynchronous calls of the app, over all its replicas: accepted ones (answered 202, reply not yet there) and
 * their results, kept for {@code mep.caller.result-ttl}. They live in the app's state topic ({@link StateStore}, keys
 * {@code call/<correlation id>}), so that a sidecar restarted in the same pod, and any other replica of the app,
 * answers {@code GET /v1/replies/{id}}; at most {@code mep.caller.max-results} entries and
 * {@code mep.caller.max-results-bytes} bytes are kept in each replica's view. Results of synchronous calls made with
 * an {@code Idempotency-Key} are kept the same way, for the retries that join them.
 */
@ApplicationScoped
public class CallResults implements StateHandler {

    private static final Logger LOG = Logger.getLogger(CallResults.class);
    static final String PREFIX = "call/";
    /** Bytes an entry holds besides its body: id, content type, bookkeeping. */
    private static final int OVERHEAD_BYTES = 256;

    /** An entry of the view: a call accepted and waiting for its reply, or its result. */
    sealed interface Entry permits Accepted, Completed {
    }

    /**
     * A call answered 202 whose reply has not come yet.
     *
     * @param operation the operation called
     * @param instance  the replica that accepted it
     * @param callback  the path its result is to be POSTed to, if any
     * @param deadline  when the caller stops waiting for the reply
     */
    record Accepted(String operation, String instance, Optional<String> callback, Instant deadline)
            implements Entry {
    }

    /**
     * The result of a call.
     *
     * @param reply         the reply, or the problem in its place
     * @param callbackTaken true when a replica took on delivering the callback
     * @param written       when the result was written
     * @param instance      the replica that wrote it
     */
    record Completed(Reply reply, boolean callbackTaken, Instant written, String instance) implements Entry {
    }

    @Inject
    SidecarConfig config;

    @Inject
    SidecarIdentity identity;

    @Inject
    MeterRegistry registry;

    @Inject
    StateStore state;

    @Inject
    PendingCalls pendingCalls;

    @Inject
    Contract contract;

    @Inject
    CallbackSender callbacks;

    @Inject
    SidecarMetrics metrics;

    private BoundedCache<Entry> entries;
    /** Waiters for a result written by any replica: {@code GET} long-polls, idempotent retries. */
    private final Map<String, CompletableFuture<Reply>> watchers = new ConcurrentHashMap<>();

    @PostConstruct
    void createCache() {
        entries = new BoundedCache<>(config.caller().maxResults(), config.caller().maxResultsBytes().asLongValue(),
                CallResults::weight, (id, entry) -> lifetime(entry), this::expired);
    }

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("mep.caller.results.kept", entries, BoundedCache::size)
                .description("Asynchronous calls of the app (all replicas) and their results, kept for"
                        + " GET /v1/replies/{id}").register(registry);
        Gauge.builder("mep.caller.results.kept.bytes", entries, BoundedCache::bytes)
                .description("Bytes of the results kept (at most mep.caller.max-results-bytes)").register(registry);
    }

    /** An entry this replica wrote expired: a tombstone removes it from the topic (the others' views expire too). */
    private void expired(String id, Entry entry) {
        String writer = entry instanceof Completed completed ? completed.instance() : ((Accepted) entry).instance();
        if (writer.equals(identity.instanceId())) {
            state.write(PREFIX + id, Map.of(), null);
        }
    }

    private Duration lifetime(Entry entry) {
        Duration ttl = config.caller().resultTtl();
        if (entry instanceof Accepted accepted) {
            return Duration.between(Instant.now(), accepted.deadline().plus(ttl));
        }
        return Duration.between(Instant.now(), ((Completed) entry).written().plus(ttl));
    }

    /**
     * Records that the call was answered 202: completes once any replica (and this one after a restart) would find
     * it. The bounds were checked when the call came ({@link #isFull()}).
     */
    CompletableFuture<Void> accepted(PendingCall call) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(StateHeaders.STATE, StateHeaders.ACCEPTED);
        headers.put(StateHeaders.OPERATION, call.operation().name());
        headers.put(StateHeaders.INSTANCE, identity.instanceId());
        headers.put(StateHeaders.DEADLINE, call.deadline().toString());
        call.callback().ifPresent(path -> headers.put(StateHeaders.CALLBACK, path));
        return state.write(PREFIX + call.correlationId(), headers, new byte[0]);
    }

    /**
     * Keeps the result of a call: at once in this replica's view (a {@code GET} right after finds it), and in the
     * state topic for the others. The returned future completes when it is written.
     *
     * @param callbackTaken true when this replica delivers the callback (or there is none)
     */
    CompletableFuture<Void> store(String correlationId, Reply reply, boolean callbackTaken) {
        return store(correlationId, reply, callbackTaken, null);
    }

    /** As above; {@code operation}, when given, is the operation the reply claims, checked by the call's replica. */
    private CompletableFuture<Void> store(String correlationId, Reply reply, boolean callbackTaken,
            String operation) {
        Completed completed = new Completed(reply, callbackTaken, Instant.now(), identity.instanceId());
        replace(correlationId, completed);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(StateHeaders.STATE, StateHeaders.RESULT);
        headers.put(StateHeaders.STATUS, Integer.toString(reply.status()));
        if (reply.contentType() != null) {
            headers.put(StateHeaders.CONTENT_TYPE, reply.contentType());
        }
        if (reply.trace() != null) { // checked when the reply was read; null values are left out
            putIfSet(headers, TraceContext.TRACEPARENT, reply.trace().traceparent());
            putIfSet(headers, TraceContext.TRACESTATE, reply.trace().tracestate());
            putIfSet(headers, TraceContext.BAGGAGE, reply.trace().baggage());
        }
        headers.put(StateHeaders.CALLBACK_TAKEN, Boolean.toString(callbackTaken));
        headers.put(StateHeaders.INSTANCE, identity.instanceId());
        if (operation != null) {
            headers.put(StateHeaders.OPERATION, operation);
        }
        return state.write(PREFIX + correlationId, headers, reply.body());
    }

    /**
     * A reply read here for a call no replica waits for in memory, but that the view knows as accepted (by another
     * replica, or by this one before a restart that lost it): its result is kept, and its callback delivered to this
     * replica's app. Empty when the view does not know the call.
     */
    Optional<CompletableFuture<Void>> completeAccepted(String correlationId, Reply reply) {
        if (!(entries.get(correlationId) instanceof Accepted accepted)) {
            return Optional.empty();
        }
        CompletableFuture<Void> stored = store(correlationId, reply, true);
        accepted.callback().ifPresent(path -> callbacks.deliver(correlationId, accepted.operation(), path, reply));
        return Optional.of(stored);
    }

    /** The operation of an asynchronous call the view knows as accepted and not yet completed. */
    Optional<String> acceptedOperation(String correlationId) {
        return entries.get(correlationId) instanceof Accepted accepted ? Optional.of(accepted.operation())
                : Optional.empty();
    }

    /** Passes on a reply read here for a call of another replica: that replica reads it from the state topic. */
    CompletableFuture<Void> forward(String correlationId, String operation, Reply reply) {
        return store(correlationId, reply, false, operation);
    }

    /** What the view has for the call: accepted, or its result; empty when neither (unknown, expired, deleted). */
    Optional<Entry> find(String correlationId) {
        return Optional.ofNullable(entries.get(correlationId));
    }

    /** Completes with the call's result once any replica wrote it; the caller stops watching with {@link #unwatch}. */
    CompletableFuture<Reply> watch(String correlationId) {
        CompletableFuture<Reply> watcher = watchers.computeIfAbsent(correlationId, id -> new CompletableFuture<>());
        if (entries.get(correlationId) instanceof Completed completed) {
            watcher.complete(completed.reply());
        }
        return watcher;
    }

    void unwatch(String correlationId, CompletableFuture<Reply> watcher) {
        watchers.remove(correlationId, watcher);
    }

    /** True when as many results, or bytes of results, are kept as the bounds allow: new async calls get 429. */
    public boolean isFull() {
        return !entries.hasRoomFor(OVERHEAD_BYTES);
    }

    /** Forgets the call in every replica (a tombstone); completes once written. False when the view lacks it. */
    Optional<CompletableFuture<Void>> remove(String correlationId) {
        if (!entries.remove(correlationId)) {
            return Optional.empty();
        }
        return Optional.of(state.write(PREFIX + correlationId, Map.of(), null));
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void apply(StateRecord record) {
        String id = record.id();
        if (record.isTombstone()) {
            entries.remove(id);
            pendingCalls.abandon(id, new AbandonedException(id)); // DELETE at another replica
            return;
        }
        String kind = record.header(StateHeaders.STATE).orElse("");
        if (StateHeaders.ACCEPTED.equals(kind)) {
            if (!(entries.get(id) instanceof Completed)) {
                replace(id, new Accepted(record.header(StateHeaders.OPERATION).orElse(""),
                        record.header(StateHeaders.INSTANCE).orElse(""), record.header(StateHeaders.CALLBACK),
                        record.header(StateHeaders.DEADLINE).map(Instant::parse).orElse(record.timestamp())));
            }
        } else if (StateHeaders.RESULT.equals(kind)) {
            Optional<String> claimed = record.header(StateHeaders.OPERATION);
            Optional<PendingCall> call = pendingCalls.find(id);
            Optional<String> expected = call.map(pending -> pending.operation().name()).or(() -> acceptedOperation(id));
            if (claimed.isPresent() && expected.isPresent() && !claimed.get().equals(expected.get())) {
                LOG.debugf("dropped the reply to %s another replica read: it is a reply of '%s', the call is of '%s'",
                        id, claimed.get(), expected.get());
                metrics.invalidReply(claimed.get(), InvalidReplyReason.TYPE);
                return;
            }
            Reply reply = new Reply(record.header(StateHeaders.STATUS).map(Integer::parseInt).orElse(200),
                    record.header(StateHeaders.CONTENT_TYPE).orElse(null), record.value(), null,
                    TraceContext.of(record.header(TraceContext.TRACEPARENT).orElse(null),
                            record.header(TraceContext.TRACESTATE).orElse(null),
                            record.header(TraceContext.BAGGAGE).orElse(null)));
            boolean callbackTaken = record.header(StateHeaders.CALLBACK_TAKEN).map(Boolean::parseBoolean)
                    .orElse(false);
            replace(id, new Completed(reply, callbackTaken, record.timestamp(),
                    record.header(StateHeaders.INSTANCE).orElse("")));
            call.ifPresent(pending -> pending.completeFromState(reply, callbackTaken));
            CompletableFuture<Reply> watcher = watchers.remove(id);
            if (watcher != null) {
                watcher.complete(reply);
            }
        } else {
            LOG.warnf("ignored state record %s of unknown kind '%s'", record.key(), kind);
        }
    }

    /**
     * The view is complete: the calls this replica accepted before it restarted (same instance id) and whose reply
     * has not come wait for it again, as if the sidecar had never stopped.
     */
    @Override
    public void rebuilt() {
        int resumed = 0;
        for (Map.Entry<String, Entry> entry : entries.asMap().entrySet()) {
            if (entry.getValue() instanceof Accepted accepted && accepted.instance().equals(identity.instanceId())) {
                Optional<Operation> operation = contract.find(accepted.operation());
                if (operation.isPresent() && pendingCalls.find(entry.getKey()).isEmpty()) {
                    pendingCalls.resume(entry.getKey(), operation.get(), accepted.callback(), accepted.deadline());
                    resumed++;
                }
            }
        }
        if (resumed > 0) {
            LOG.infof("%d asynchronous calls accepted before a restart wait for their replies again", resumed);
        }
    }

    private static int traceBytes(TraceContext trace) {
        return trace == null ? 0 : 2 * (length(trace.traceparent()) + length(trace.tracestate())
                + length(trace.baggage()));
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
    }

    /** In one step: a {@code GET} at the same moment finds the old entry or the new one, never neither (a 404). */
    private void replace(String id, Entry entry) {
        entries.replace(id, entry);
    }

    private static int weight(Entry entry) {
        if (entry instanceof Completed completed) {
            Reply reply = completed.reply();
            return OVERHEAD_BYTES + reply.body().length
                    + (reply.contentType() == null ? 0 : 2 * reply.contentType().length())
                    + traceBytes(reply.trace());
        }
        return OVERHEAD_BYTES;
    }
}
