package io.mepsidecar.service;

import io.mepsidecar.contract.Dialect;
import io.mepsidecar.contract.WireCorrelation;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.memory.BoundedCache;
import io.mepsidecar.state.StateHandler;
import io.mepsidecar.state.StateHeaders;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the app's replicas did with the requests they served, kept in the app's state topic (keys
 * {@code reply/<correlation id>}) so that it outlives each sidecar: the reply published (kept for the request's
 * deadline, so a request delivered again is answered with it instead of being executed again), a one-way message the
 * app took (as long), or a reply the app deferred with 202 (kept until the deadline plus
 * {@code mep.service.deferred-reply-retention}, so the app may PUT it at any replica's sidecar, or after a restart).
 * At most {@code mep.service.max-kept-replies} entries and {@code mep.service.max-kept-replies-bytes} bytes: beyond
 * that a reply is not kept, and a redelivery of its request is executed again.
 */
@ApplicationScoped
public class ServedRequests implements StateHandler {

    private static final Logger LOG = Logger.getLogger(ServedRequests.class);
    static final String PREFIX = "reply/";
    private static final int OVERHEAD_BYTES = 256;

    sealed interface Entry permits Replied, Taken, Deferred {
    }

    /** The reply published; {@code digest} identifies it (a PUT of the same reply is a no-op). */
    record Replied(int status, String contentType, byte[] body, String digest, Instant keptUntil, String instance)
            implements Entry {
    }

    /** A one-way message the app took. */
    record Taken(Instant keptUntil, String instance) implements Entry {
    }

    /** A reply the app deferred: where to publish it when the app PUTs it. */
    record Deferred(String operation, AppRequest request, String instance) implements Entry {
    }

    @Inject
    SidecarConfig config;

    @Inject
    SidecarIdentity identity;

    @Inject
    StateStore state;

    @Inject
    MeterRegistry registry;

    private BoundedCache<Entry> entries;

    @PostConstruct
    void createCache() {
        entries = new BoundedCache<>(config.service().maxKeptReplies(),
                config.service().maxKeptRepliesBytes().asLongValue(), ServedRequests::weight,
                (id, entry) -> Duration.between(Instant.now(), keptUntil(entry)), this::expired);
    }

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("mep.service.replies.kept", entries, BoundedCache::size)
                .description("Replies published, messages taken and replies deferred by the app's replicas, kept so"
                        + " that a request delivered again is not executed again").register(registry);
    }

    /** An entry this replica wrote expired: a tombstone removes it from the topic. */
    private void expired(String id, Entry entry) {
        String writer = entry instanceof Replied replied ? replied.instance()
                : entry instanceof Taken taken ? taken.instance() : ((Deferred) entry).instance();
        if (writer.equals(identity.instanceId())) {
            state.write(PREFIX + id, Map.of(), null);
        }
    }

    private Instant keptUntil(Entry entry) {
        if (entry instanceof Replied replied) {
            return replied.keptUntil();
        }
        if (entry instanceof Taken taken) {
            return taken.keptUntil();
        }
        Deferred deferred = (Deferred) entry;
        return deferred.request().deadline().plus(config.service().deferredReplyRetention());
    }

    Optional<Entry> find(String correlationId) {
        return Optional.ofNullable(entries.get(correlationId));
    }

    /** Keeps the reply published for {@code request} until its deadline. */
    CompletableFuture<Void> replied(AppRequest request, AppResponse response, String digest) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(StateHeaders.STATE, StateHeaders.REPLIED);
        headers.put(StateHeaders.STATUS, Integer.toString(response.status()));
        if (response.contentType() != null) {
            headers.put(StateHeaders.CONTENT_TYPE, response.contentType());
        }
        headers.put(StateHeaders.DIGEST, digest);
        headers.put(StateHeaders.DEADLINE, request.deadline().toString());
        headers.put(StateHeaders.INSTANCE, identity.instanceId());
        return keep(request.correlationId(), headers, response.body());
    }

    /** Keeps the fact that the app took one-way message {@code request}, for as long as it could come again. */
    CompletableFuture<Void> taken(Operation operation, AppRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(StateHeaders.STATE, StateHeaders.TAKEN);
        headers.put(StateHeaders.DEADLINE, Instant.now().plus(operation.timeout()).toString());
        headers.put(StateHeaders.INSTANCE, identity.instanceId());
        return keep(request.correlationId(), headers, new byte[0]);
    }

    /** Keeps where the reply of {@code request} goes, for the app's PUT at any replica. */
    CompletableFuture<Void> deferred(Operation operation, AppRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(StateHeaders.STATE, StateHeaders.DEFERRED);
        headers.put(StateHeaders.OPERATION, operation.name());
        headers.put(StateHeaders.DEADLINE, request.deadline().toString());
        headers.put(StateHeaders.REPLY_TO, request.replyTo());
        if (request.replyInstance() != null) {
            headers.put(StateHeaders.REPLY_INSTANCE, request.replyInstance());
        }
        if (request.replyPartition() != null) {
            headers.put(StateHeaders.REPLY_PARTITION, Integer.toString(request.replyPartition()));
        }
        putCorrelation(headers, request.correlation());
        TraceContext trace = request.trace(); // for the reply another replica publishes when the app PUTs it there
        if (trace != null) {
            putIfSet(headers, TraceContext.TRACEPARENT, trace.traceparent());
            putIfSet(headers, TraceContext.TRACESTATE, trace.tracestate());
            putIfSet(headers, TraceContext.BAGGAGE, trace.baggage());
        }
        headers.put(StateHeaders.INSTANCE, identity.instanceId());
        return keep(request.correlationId(), headers, new byte[0]);
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
    }

    private CompletableFuture<Void> keep(String correlationId, Map<String, String> headers, byte[] body) {
        return state.write(PREFIX + correlationId, headers, body).whenComplete((done, error) -> {
            if (error != null) {
                LOG.warnf("what became of request %s could not be kept in the state topic (%s): if it is delivered"
                        + " again it is executed again", correlationId, error.toString());
            }
        });
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
            return;
        }
        Entry entry;
        try {
            entry = entryOf(id, record);
        } catch (RuntimeException e) { // a bad value (another version's dialect, a broken field): keep what we had
            LOG.warnf("ignored state record %s: %s", record.key(), e.toString());
            return;
        }
        entries.remove(id);
        if (entry == null) {
            LOG.warnf("ignored state record %s of unknown kind '%s'", record.key(),
                    record.header(StateHeaders.STATE).orElse(""));
        } else if (!entries.putIfRoom(id, entry)) {
            LOG.debugf("state entry %s not kept: mep.service.max-kept-replies reached", id);
        }
    }

    /** The entry a state record stands for; null for a kind this version does not know. */
    private static Entry entryOf(String id, StateRecord record) {
        Instant deadline = record.header(StateHeaders.DEADLINE).map(Instant::parse).orElse(record.timestamp());
        String writer = record.header(StateHeaders.INSTANCE).orElse("");
        String kind = record.header(StateHeaders.STATE).orElse("");
        return switch (kind) {
            case StateHeaders.REPLIED -> new Replied(record.header(StateHeaders.STATUS).map(Integer::parseInt)
                    .orElse(200), record.header(StateHeaders.CONTENT_TYPE).orElse(null), record.value(),
                    record.header(StateHeaders.DIGEST).orElse(""), deadline, writer);
            case StateHeaders.TAKEN -> new Taken(deadline, writer);
            case StateHeaders.DEFERRED -> new Deferred(record.header(StateHeaders.OPERATION).orElse(""),
                    new AppRequest(correlation(id, record), deadline, null, new byte[0], null,
                            record.header(StateHeaders.REPLY_TO).orElse(null),
                            record.header(StateHeaders.REPLY_INSTANCE).orElse(null),
                            record.header(StateHeaders.REPLY_PARTITION).map(Integer::valueOf).orElse(null),
                            null, TraceContext.of(record.header(TraceContext.TRACEPARENT).orElse(null),
                                    record.header(TraceContext.TRACESTATE).orElse(null),
                                    record.header(TraceContext.BAGGAGE).orElse(null))),
                    writer);
            default -> null;
        };
    }

    /** Keeps a deferred request's dialect and correlation bytes where they are not the defaults (its id's text). */
    static void putCorrelation(Map<String, String> headers, WireCorrelation correlation) {
        if (correlation.dialect() != Dialect.DEFAULT) {
            headers.put(StateHeaders.DIALECT, correlation.dialect().wireName());
        }
        if (!Arrays.equals(correlation.bytes(), correlation.id().getBytes(StandardCharsets.ISO_8859_1))) {
            headers.put(StateHeaders.CORRELATION_BYTES, HexFormat.of().formatHex(correlation.bytes()));
        }
    }

    /** The correlation of a deferred request as it came in, dialect and bytes, so the reply echoes them. */
    static WireCorrelation correlation(String id, StateRecord record) {
        Dialect dialect = record.header(StateHeaders.DIALECT).map(Dialect::fromWireName).orElse(Dialect.DEFAULT);
        byte[] bytes = record.header(StateHeaders.CORRELATION_BYTES).map(HexFormat.of()::parseHex)
                .orElseGet(() -> id.getBytes(StandardCharsets.ISO_8859_1));
        return new WireCorrelation(dialect, bytes, id);
    }

    private static int weight(Entry entry) {
        if (entry instanceof Replied replied) {
            return OVERHEAD_BYTES + replied.body().length;
        }
        if (entry instanceof Deferred deferred) {
            return OVERHEAD_BYTES + deferred.request().retainedBytes();
        }
        return OVERHEAD_BYTES;
    }
}
