package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import io.mepsidecar.observability.Outcome;
import io.mepsidecar.observability.Role;
import io.mepsidecar.observability.SidecarMetrics;
import io.mepsidecar.lifecycle.Draining;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls waiting for a reply, by correlation id, at most {@code mep.caller.max-in-flight} of them. A call is
 * registered before its request is published, so a reply that arrives before the publish acknowledgement still
 * finds it; it leaves when its reply future completes (reply, timeout or abandon).
 */
@ApplicationScoped
public class PendingCalls implements Draining {

    private static final long DRAIN_CHECK_MS = 50;

    private final Map<String, PendingCall> calls = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    @Inject
    SidecarConfig config;

    @Inject
    CallCompletion completion;

    @Inject
    SidecarMetrics metrics;

    @Inject
    Vertx vertx;

    /**
     * Registers a call; a 429 problem when the sidecar already has as many calls in flight as allowed. {@code hops}
     * holds the stamps of a traced call, null for others.
     */
    public PendingCall register(String correlationId, Operation operation, CallOptions options, Instant deadline,
            HopStamps hops) {
        admit(correlationId, operation);
        return track(new PendingCall(correlationId, operation, options, deadline, hops));
    }

    /**
     * Admits a one-way call for as long as its publish waits for the broker: it counts toward the same bound as
     * calls waiting for replies (a 429 problem beyond it) and toward the operation's in-flight gauge. The returned
     * action ends it; call it exactly once.
     */
    public Runnable admitOneWay(String correlationId, Operation operation) {
        admit(correlationId, operation);
        AtomicInteger operationInFlight = metrics.inFlight(Role.CALLER, operation.name());
        operationInFlight.incrementAndGet();
        return () -> {
            operationInFlight.decrementAndGet();
            inFlight.decrementAndGet();
        };
    }

    /** Takes one of the {@code mep.caller.max-in-flight} places, or refuses the call with a 429 problem. */
    private void admit(String correlationId, Operation operation) {
        int limit = config.caller().maxInFlight();
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            metrics.callEnded(Role.CALLER, operation.name(), Outcome.REJECTED, null);
            throw new SidecarException(ProblemType.TOO_MANY_CALLS, limit
                    + " calls are in flight, the most this sidecar takes (mep.caller.max-in-flight); retry later",
                    correlationId);
        }
    }

    private PendingCall track(PendingCall call) {
        AtomicInteger operationInFlight = metrics.inFlight(Role.CALLER, call.operation().name());
        operationInFlight.incrementAndGet();
        calls.put(call.correlationId(), call);
        call.reply().whenComplete((reply, error) -> {
            try {
                completion.completed(call, reply, error);
            } finally {
                if (calls.remove(call.correlationId(), call)) {
                    inFlight.decrementAndGet();
                    operationInFlight.decrementAndGet();
                }
            }
        });
        return call;
    }

    /**
     * Waits again for the reply of a call this replica answered 202 before it restarted (found in the state topic),
     * until its deadline; it counts toward the calls in flight like any other.
     */
    void resume(String correlationId, Operation operation, Optional<String> callback, Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        CallOptions options = new CallOptions(new Preferences(true, Optional.empty()),
                left.isNegative() ? Duration.ofMillis(1) : left, callback);
        inFlight.incrementAndGet();
        PendingCall call = track(new PendingCall(correlationId, operation, options, deadline, null));
        call.resumedAsynchronous();
        Timers.failAfter(vertx, call.reply(), options.timeout().toMillis(), java.util.concurrent.TimeoutException::new);
    }

    public Optional<PendingCall> find(String correlationId) {
        return Optional.ofNullable(calls.get(correlationId));
    }

    /**
     * Completes the waiting call with a reply read here; empty when nobody here waits for this correlation id (any
     * more), else what completes once its outcome is kept (the state topic, for asynchronous calls).
     */
    public Optional<CompletableFuture<Void>> complete(String correlationId, Reply reply) {
        PendingCall call = calls.get(correlationId);
        return call != null && call.reply().complete(reply) ? Optional.of(call.stored()) : Optional.empty();
    }

    /**
     * From SIGTERM on (new calls are refused by {@link Invoker}): waits for the replies of the calls still to be
     * answered in their HTTP response, until the deadline; then answers those left with a 503 {@code stopping}
     * problem, so no caller's connection is reset. Calls already answered 202 have nothing to wait for.
     */
    @Override
    public CompletableFuture<Void> drain(Instant deadline) {
        CompletableFuture<Void> drained = new CompletableFuture<>();
        vertx.setPeriodic(DRAIN_CHECK_MS, timer -> {
            boolean over = !Instant.now().isBefore(deadline);
            if (over) {
                calls.values().stream().filter(call -> !call.wasAnsweredAsynchronously()).forEach(call ->
                        abandon(call.correlationId(), new SidecarException(ProblemType.STOPPING, "the sidecar"
                                + " stopped before the reply arrived; the request was published and may still be"
                                + " served", call.correlationId())));
            }
            if (over || calls.values().stream().allMatch(PendingCall::wasAnsweredAsynchronously)) {
                vertx.cancelTimer(timer);
                drained.complete(null);
            }
        });
        return drained;
    }

    /**
     * Stops waiting for the call; a reply that comes later is counted as unmatched. False when the call had already
     * completed (or is unknown).
     */
    public boolean abandon(String correlationId, Throwable reason) {
        PendingCall call = calls.get(correlationId);
        return call != null && call.reply().completeExceptionally(reason);
    }
}
