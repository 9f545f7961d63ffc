package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import io.mepsidecar.observability.Outcome;
import io.mepsidecar.observability.Role;
import io.mepsidecar.observability.SidecarMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls waiting for a reply, by correlation id, at most {@code mep.caller.max-in-flight} of them. A call is
 * registered before its request is published, so a reply that arrives before the publish acknowledgement still
 * finds it; it leaves when its reply future completes (reply, timeout or abandon).
 */
@ApplicationScoped
public class PendingCalls {

    private final Map<String, PendingCall> calls = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    @Inject
    SidecarConfig config;

    @Inject
    CallCompletion completion;

    @Inject
    SidecarMetrics metrics;

    /** Registers a call; a 429 problem when the sidecar already has as many calls in flight as allowed. */
    public PendingCall register(String correlationId, Operation operation, CallOptions options, Instant deadline) {
        int limit = config.caller().maxInFlight();
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            metrics.callEnded(Role.CALLER, operation.name(), Outcome.REJECTED, null);
            throw new SidecarException(ProblemType.TOO_MANY_CALLS, limit
                    + " calls are in flight, the most this sidecar takes (mep.caller.max-in-flight); retry later",
                    correlationId);
        }
        PendingCall call = new PendingCall(correlationId, operation, options, deadline);
        AtomicInteger operationInFlight = metrics.inFlight(Role.CALLER, operation.name());
        operationInFlight.incrementAndGet();
        calls.put(correlationId, call);
        call.reply().whenComplete((reply, error) -> {
            try {
                completion.completed(call, reply, error);
            } finally {
                if (calls.remove(correlationId, call)) {
                    inFlight.decrementAndGet();
                    operationInFlight.decrementAndGet();
                }
            }
        });
        return call;
    }

    public Optional<PendingCall> find(String correlationId) {
        return Optional.ofNullable(calls.get(correlationId));
    }

    /** Completes the waiting call; false when nobody waits for this correlation id (any more). */
    public boolean complete(String correlationId, Reply reply) {
        PendingCall call = calls.get(correlationId);
        return call != null && call.reply().complete(reply);
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
