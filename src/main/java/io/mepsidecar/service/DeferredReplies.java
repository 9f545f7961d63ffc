package io.mepsidecar.service;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import io.mepsidecar.kafka.PublishFailures;
import io.mepsidecar.memory.BoundedCache;
import io.mepsidecar.observability.SidecarMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Requests whose app answered 202 (or is still working on them): the app may give the reply with
 * {@code PUT /v1/replies/{id}}. The first reply is published; the same reply again is a no-op, a different one a 409;
 * after the call's deadline a 410, and once {@code mep.service.deferred-reply-retention} passed a 404. At most
 * {@code mep.service.max-deferred-replies} entries and {@code mep.service.max-deferred-bytes} bytes are kept: a
 * request beyond that is answered with a 429 fault instead of being delivered (nothing already kept is evicted). A
 * request the app answered 202 is also kept in the app's state topic ({@link ServedRequests}): its reply may be PUT
 * at any replica's sidecar, or after this one restarted.
 */
@ApplicationScoped
public class DeferredReplies {

    private static final int ENTRY_OVERHEAD_BYTES = 160;

    private static final class Deferred {
        final Operation operation;
        final AppRequest request;
        final int weight;
        final long deliveredNanos = System.nanoTime();
        /** Digest of the reply given, and its publish; both null while no reply is given. */
        final AtomicReference<Given> given = new AtomicReference<>();

        Deferred(Operation operation, AppRequest request) {
            this.operation = operation;
            this.request = request;
            this.weight = ENTRY_OVERHEAD_BYTES + request.retainedBytes();
        }
    }

    private record Given(byte[] digest, CompletableFuture<Void> published) {
    }

    /** Marks a request the app answered itself (not 202): a PUT racing that answer is refused. */
    private static final Given ANSWERED = new Given(new byte[0], CompletableFuture.completedFuture(null));

    @Inject
    ReplyPublisher replyPublisher;

    @Inject
    ServedRequests servedRequests;

    @Inject
    io.mepsidecar.contract.Contract contract;

    @Inject
    SidecarConfig config;

    @Inject
    SidecarMetrics metrics;

    @Inject
    MeterRegistry registry;

    private BoundedCache<Deferred> deferred;

    @PostConstruct
    void createCache() {
        Duration retention = config.service().deferredReplyRetention();
        deferred = new BoundedCache<>(config.service().maxDeferredReplies(),
                config.service().maxDeferredBytes().asLongValue(), entry -> entry.weight,
                (id, entry) -> Duration.between(Instant.now(), entry.request.deadline().plus(retention)));
    }

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("mep.service.deferred.replies.kept", deferred, BoundedCache::size)
                .description("Requests whose app may still PUT its reply (at most mep.service.max-deferred-replies)")
                .register(registry);
    }

    /**
     * Called before the request is delivered: an app may answer 202 and PUT its reply at once, and that PUT must not
     * overtake the 202. False when as many deferred replies are expected as allowed: the request is not delivered.
     */
    boolean expect(Operation operation, AppRequest request) {
        return deferred.putIfRoom(request.correlationId(), new Deferred(operation, request.withoutBody()));
    }

    /**
     * The app answered the request itself (not 202): no PUT is expected any more. True when the app had already
     * PUT a reply, which then stands, and the answer must not be published too.
     */
    boolean answered(String correlationId) {
        Deferred entry = deferred.get(correlationId);
        if (entry != null && !entry.given.compareAndSet(null, ANSWERED)) {
            return true; // a PUT came first; kept until it expires, so a PUT whose publish failed can be retried
        }
        deferred.remove(correlationId);
        return false;
    }

    /** The request went back unserved (the app never got it): nothing is expected from this replica. */
    void forget(String correlationId) {
        deferred.remove(correlationId);
    }

    /**
     * Publishes the app's late reply. Completes normally when it is published (or was already, identically);
     * fails with a problem for an unknown, expired or conflicting reply. The trace context the app gave with it (null:
     * none) goes on the reply record if it continues the request's trace, else the request's (with the PUT's
     * baggage, if any); it is not part of what makes a reply the same.
     */
    public CompletableFuture<Void> complete(String correlationId, int status, String contentType, byte[] body,
            TraceContext trace) {
        Deferred entry = deferred.get(correlationId);
        if (entry == null) {
            return completeFromState(correlationId, status, contentType, body, trace);
        }
        if (entry.request.isExpired(Instant.now())) {
            throw new SidecarException(ProblemType.REPLY_EXPIRED, "the caller of " + correlationId
                    + " stopped waiting at " + entry.request.deadline(), correlationId);
        }
        byte[] digest = digestBytes(status, contentType, body);
        Given mine = new Given(digest, new CompletableFuture<>());
        if (!entry.given.compareAndSet(null, mine)) {
            Given earlier = entry.given.get();
            if (earlier == ANSWERED) {
                throw new SidecarException(ProblemType.UNKNOWN_REPLY, "request " + correlationId
                        + " was already answered by the app", correlationId);
            }
            if (earlier != null && Arrays.equals(earlier.digest(), digest)) {
                return earlier.published(); // the same reply: answered when (and as) the first one is published
            }
            throw new SidecarException(ProblemType.REPLY_CONFLICT, "a different reply to " + correlationId
                    + " was already given", correlationId);
        }
        Duration appTime = Duration.ofNanos(System.nanoTime() - entry.deliveredNanos);
        AppResponse reply = new AppResponse(status, contentType, body, AppResponse.Delivery.ANSWERED, appTime,
                TraceContext.continuing(trace, entry.request.trace()));
        CompletableFuture.allOf(replyPublisher.publish(entry.operation, entry.request, reply),
                servedRequests.replied(entry.request, reply, digest(status, contentType, body))
                        .exceptionally(error -> null)).whenComplete((metadata, error) -> {
            if (error == null) {
                metrics.appTime(entry.operation.name(), appTime);
                mine.published().complete(null);
            } else {
                entry.given.compareAndSet(mine, null);
                mine.published().completeExceptionally(
                        PublishFailures.problem(error, "the reply to " + correlationId, correlationId));
            }
        });
        return mine.published();
    }

    /**
     * A PUT for a request this sidecar does not expect a reply for: another replica of the app (or this one before a
     * restart) delivered it, and the state topic says where its reply goes.
     */
    private CompletableFuture<Void> completeFromState(String correlationId, int status, String contentType,
            byte[] body, TraceContext trace) {
        ServedRequests.Entry entry = servedRequests.find(correlationId).orElseThrow(() -> new SidecarException(
                ProblemType.UNKNOWN_REPLY, "no request " + correlationId + " waits for a reply from this app",
                correlationId));
        String digest = digest(status, contentType, body);
        if (entry instanceof ServedRequests.Replied replied) {
            if (replied.digest().equals(digest)) {
                return CompletableFuture.completedFuture(null); // the same reply again: a no-op
            }
            throw new SidecarException(ProblemType.REPLY_CONFLICT, "a different reply to " + correlationId
                    + " was already given", correlationId);
        }
        if (!(entry instanceof ServedRequests.Deferred waiting)) {
            throw new SidecarException(ProblemType.UNKNOWN_REPLY, "request " + correlationId + " expects no reply"
                    + " (a one-way message)", correlationId);
        }
        if (waiting.request().isExpired(Instant.now())) {
            throw new SidecarException(ProblemType.REPLY_EXPIRED, "the caller of " + correlationId
                    + " stopped waiting at " + waiting.request().deadline(), correlationId);
        }
        Operation operation = contract.find(waiting.operation()).orElseThrow(() -> new SidecarException(
                ProblemType.UNKNOWN_REPLY, "request " + correlationId + " is of operation '" + waiting.operation()
                + "', which is not in the contract", correlationId));
        AppResponse reply = new AppResponse(status, contentType, body, AppResponse.Delivery.ANSWERED, null,
                TraceContext.continuing(trace, waiting.request().trace()));
        return CompletableFuture.allOf(replyPublisher.publish(operation, waiting.request(), reply),
                servedRequests.replied(waiting.request(), reply, digest).exceptionally(error -> null))
                .exceptionally(error -> {
                    throw new java.util.concurrent.CompletionException(PublishFailures.problem(error,
                            "the reply to " + correlationId, correlationId));
                });
    }

    /** Identifies a reply: the same status, content type and body give the same digest. */
    static String digest(int status, String contentType, byte[] body) {
        return java.util.HexFormat.of().formatHex(digestBytes(status, contentType, body));
    }

    private static byte[] digestBytes(int status, String contentType, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(status).array());
            sha.update(String.valueOf(contentType).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(body);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
