package io.mepsidecar.caller;

import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.contract.Operation;

import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A call waiting for its reply; {@link #reply} completes when the correlated reply arrives, fails when the call
 * times out or is abandoned.
 *
 * <p>An asynchronous call is answered exactly one way: synchronously (the result came within {@code wait}) or
 * asynchronously (202, then the result by {@code GET} or callback). {@link #answerSynchronously()} and
 * {@link #answerAsynchronously()} decide it once, whichever comes first.
 */
public final class PendingCall {

    private enum Answer { UNDECIDED, SYNCHRONOUS, ASYNCHRONOUS }

    private final String correlationId;
    private final Operation operation;
    private final Instant deadline;
    private final CallOptions options;
    /** The call's hop stamps when it is traced ({@code mep.debug.hop-timestamps}); null otherwise. */
    private final HopStamps hops;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<Reply> reply = new CompletableFuture<>();
    private final CompletableFuture<Response> response = new CompletableFuture<>();
    private final AtomicReference<Answer> answer = new AtomicReference<>(Answer.UNDECIDED);
    /** Written once the call's outcome is kept where it must be (the state topic), for the reply's commit. */
    private volatile CompletableFuture<Void> stored = CompletableFuture.completedFuture(null);
    private volatile boolean fromState;
    private volatile boolean idempotent;
    private volatile boolean callbackTaken;

    PendingCall(String correlationId, Operation operation, CallOptions options, Instant deadline, HopStamps hops) {
        this.correlationId = correlationId;
        this.operation = operation;
        this.options = options;
        this.deadline = deadline;
        this.hops = hops;
    }

    public String correlationId() {
        return correlationId;
    }

    public Operation operation() {
        return operation;
    }

    public Instant deadline() {
        return deadline;
    }

    /** True when the caller asked for {@code respond-async}: the call has a reply resource. */
    public boolean isAsync() {
        return options.preferences().respondAsync();
    }

    public Optional<String> callback() {
        return options.callback();
    }

    public CallOptions options() {
        return options;
    }

    /** The hop stamps of a traced call, taken on several threads; null when the call is not traced. */
    public HopStamps hops() {
        return hops;
    }

    /** Time since the call was registered. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    public CompletableFuture<Reply> reply() {
        return reply;
    }

    /** The HTTP response of the invoking request: the result, or a 202 for a call answered asynchronously. */
    CompletableFuture<Response> response() {
        return response;
    }

    /** True if this call is now answered in the HTTP response; false if it was already answered with a 202. */
    boolean answerSynchronously() {
        return answer.compareAndSet(Answer.UNDECIDED, Answer.SYNCHRONOUS);
    }

    /** True once this call was answered with a 202: only then does it have a reply resource. */
    boolean wasAnsweredAsynchronously() {
        return answer.get() == Answer.ASYNCHRONOUS;
    }

    /**
     * Completes the call with a result another replica read and wrote to the state topic (or this one, forwarded);
     * {@code callbackTaken} says whether that replica delivers the callback.
     */
    void completeFromState(Reply result, boolean taken) {
        if (!reply.isDone()) {
            fromState = true;
            callbackTaken = taken;
            reply.complete(result);
        }
    }

    /** True when the result came from the state topic: it is kept there already. */
    boolean completedFromState() {
        return fromState;
    }

    /** True when the result came from the state topic and the replica that read the reply delivers the callback. */
    boolean callbackTakenElsewhere() {
        return fromState && callbackTaken;
    }

    /** True when the call was made with an {@code Idempotency-Key}: its result is kept for retries. */
    boolean isIdempotent() {
        return idempotent;
    }

    void idempotent() {
        idempotent = true;
    }

    CompletableFuture<Void> stored() {
        return stored;
    }

    void storing(CompletableFuture<Void> write) {
        stored = write;
    }

    /** Marks a call resumed after a restart: it was answered 202 before. */
    void resumedAsynchronous() {
        answer.set(Answer.ASYNCHRONOUS);
    }

    /** True if this call is now answered with a 202; false if its result was already returned. */
    boolean answerAsynchronously() {
        return answer.compareAndSet(Answer.UNDECIDED, Answer.ASYNCHRONOUS);
    }

}
