package io.mepsidecar.caller;

import io.mepsidecar.contract.Operation;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** A call waiting for its reply; {@link #reply} completes when the correlated reply arrives. */
public record PendingCall(String correlationId, Operation operation, Instant deadline,
        CompletableFuture<Reply> reply) {
}
