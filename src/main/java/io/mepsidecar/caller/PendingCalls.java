package io.mepsidecar.caller;

import io.mepsidecar.contract.Operation;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls waiting for a reply, by correlation id. A call is registered before its request is published, so a reply
 * that arrives before the publish acknowledgement still finds it.
 */
@ApplicationScoped
public class PendingCalls {

    private final Map<String, PendingCall> calls = new ConcurrentHashMap<>();

    public PendingCall register(String correlationId, Operation operation, Instant deadline) {
        PendingCall call = new PendingCall(correlationId, operation, deadline, new CompletableFuture<>());
        if (calls.putIfAbsent(correlationId, call) != null) {
            throw new IllegalStateException("correlation id " + correlationId + " is already pending");
        }
        call.reply().whenComplete((reply, error) -> calls.remove(correlationId, call));
        return call;
    }

    /** Completes the waiting call; false when nobody waits for this correlation id (any more). */
    public boolean complete(String correlationId, Reply reply) {
        PendingCall call = calls.get(correlationId);
        return call != null && call.reply().complete(reply);
    }

    /** Stops waiting for the call; a reply that comes later is counted as unmatched. */
    public void abandon(String correlationId, Throwable reason) {
        PendingCall call = calls.get(correlationId);
        if (call != null) {
            call.reply().completeExceptionally(reason);
        }
    }

    public int size() {
        return calls.size();
    }
}
