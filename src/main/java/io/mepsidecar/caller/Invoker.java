package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.Hop;
import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.error.ProblemResponses;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import io.mepsidecar.lifecycle.GracefulStop;
import io.mepsidecar.observability.Outcome;
import io.mepsidecar.observability.Role;
import io.mepsidecar.observability.SidecarMetrics;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Turns one HTTP call of the app into a published request and, for request-reply, the correlated reply: in the
 * response (synchronous), or as a reply resource and an optional callback ({@code Prefer: respond-async}), or either
 * ({@code respond-async, wait=N}: the result if it comes within N seconds).
 */
@ApplicationScoped
public class Invoker {

    private static final String PREFERENCE_APPLIED = "Preference-Applied";

    @Inject
    AllowedCalls allowedCalls;

    @Inject
    Contract contract;

    @Inject
    PendingCalls pendingCalls;

    @Inject
    RequestPublisher publisher;

    @Inject
    ReplyListener replyListener;

    @Inject
    Vertx vertx;

    @Inject
    SidecarMetrics metrics;

    @Inject
    CallResults results;

    @Inject
    SidecarConfig config;

    @Inject
    GracefulStop stop;

    @Inject
    IdempotencyKeys keys;

    @Inject
    io.mepsidecar.config.SidecarIdentity identity;

    /** {@code mep.debug.hop-timestamps}, read once: a call that is not traced costs one check of this field. */
    private boolean traceHops;

    @PostConstruct
    void readSettings() {
        traceHops = config.debug().hopTimestamps();
    }

    public CompletionStage<Response> invoke(String operationName, String contentType, byte[] body,
            List<String> prefer, String timeout, String callback, String idempotencyKey, TraceContext trace) {
        HopStamps hops = traceHops ? new HopStamps() : null;
        if (hops != null) {
            hops.stamp(Hop.HTTP_IN);
        }
        String correlationId = UUID.randomUUID().toString();
        allowedCalls.check(operationName, correlationId);
        Operation operation = contract.find(operationName).orElseThrow(() -> new SidecarException(
                ProblemType.UNKNOWN_OPERATION, "operation '" + operationName + "' is not in the contract",
                correlationId));
        if (stop.isStopping()) {
            metrics.callEnded(Role.CALLER, operation.name(), Outcome.UNAVAILABLE, null);
            throw new SidecarException(ProblemType.STOPPING, "the sidecar is stopping and takes no new calls;"
                    + " retry on another replica or once it is back", correlationId);
        }
        Preferences preferences = operation.expectsReply() ? Preferences.parse(prefer) : Preferences.NONE;
        CallOptions options = CallOptions.of(operation, preferences, timeout, callback, correlationId);
        Instant deadline = Instant.now().plus(options.timeout());
        Call call = new Call(operation, options, contentType, body, hops, trace);
        if (idempotencyKey != null) {
            return keyed(call, checkedKey(idempotencyKey, correlationId), correlationId, deadline);
        }
        return start(call, correlationId, deadline, false);
    }

    /**
     * One call as the app made it; {@code hops} is null unless it is traced (hop timestamps), {@code trace} null when
     * the app sent no usable W3C trace context.
     */
    private record Call(Operation operation, CallOptions options, String contentType, byte[] body, HopStamps hops,
            TraceContext trace) {

        String digest() {
            return IdempotencyKeys.digest(operation.name(), contentType, body, options.preferences().respondAsync());
        }
    }

    private CompletionStage<Response> start(Call call, String correlationId, Instant deadline, boolean idempotent) {
        return call.operation().expectsReply()
                ? requestReply(call, correlationId, deadline, idempotent)
                : oneWay(call.operation(), correlationId, call.contentType(), call.body(), deadline, call.trace());
    }

    /**
     * A call with an {@code Idempotency-Key}: the first with the key is made (and the key kept, in the state topic,
     * until its deadline); a retry with the same key and request joins it; the same key with another request is a 422.
     */
    private CompletionStage<Response> keyed(Call call, String key, String correlationId, Instant deadline) {
        Optional<IdempotencyKeys.Claim> earlier = keys.find(key);
        if (earlier.isPresent()) {
            return join(call, earlier.get());
        }
        if (call.operation().expectsReply()) {
            requireReplyListener(call.operation(), correlationId);
        }
        return keys.claim(key, correlationId, call.digest(), deadline).handle((claim, error) -> {
            if (error != null) {
                metrics.callEnded(Role.CALLER, call.operation().name(), Outcome.UNAVAILABLE, null);
                throw new SidecarException(ProblemType.BROKER_UNAVAILABLE, "the idempotency key could not be"
                        + " kept in the state topic; nothing was published, retry", correlationId);
            }
            return claim.correlationId().equals(correlationId) ? start(call, correlationId, deadline, true)
                    : join(call, claim);
        }).thenCompose(response -> response);
    }

    /** A retry with a key already taken: the answer of the call the key started, without calling again. */
    private CompletionStage<Response> join(Call call, IdempotencyKeys.Claim claim) {
        String id = claim.correlationId();
        if (!claim.digest().equals(call.digest())) {
            throw new SidecarException(ProblemType.IDEMPOTENCY_KEY_REUSED, "the " + CallHeaders.IDEMPOTENCY_KEY
                    + " was used for call " + id + " with a different operation, style or body; use a new key for"
                    + " a new request", id);
        }
        metrics.idempotentRetry(call.operation().name());
        if (!call.operation().expectsReply()) {
            return CompletableFuture.completedFuture(
                    Response.accepted().header(AppHeaders.CORRELATION_ID, id).build());
        }
        boolean async = call.options().preferences().respondAsync();
        Duration wait = call.options().preferences().waitFor().orElse(Duration.ZERO);
        Optional<PendingCall> pending = pendingCalls.find(id);
        if (pending.isPresent()) {
            return async ? awaitResult(pending.get(), wait) : pending.get().reply()
                    .handle((reply, error) -> resultResponse(CallCompletion.resultOf(pending.get(), reply, error), id));
        }
        Optional<CallResults.Entry> entry = results.find(id);
        if (entry.isPresent() && entry.get() instanceof CallResults.Completed completed) {
            return CompletableFuture.completedFuture(replyResponse(completed.reply(), id));
        }
        if (entry.isEmpty() && claim.instance().equals(identity.instanceId())) {
            // this replica took the key before it restarted and lost the call: made again under the same id; a
            // service that already answered it answers again with the same reply, without running it again
            return start(call, id, claim.deadline(), true);
        }
        // in flight at another replica (or lost there): its result comes through the state topic
        CompletableFuture<Reply> result = results.watch(id);
        CompletableFuture<Response> answer = result.thenApply(reply -> replyResponse(reply, id));
        long millis = async ? wait.toMillis() : Math.max(0, Duration.between(Instant.now(), claim.deadline())
                .toMillis());
        Timers.completeAfter(vertx, answer, millis, () -> async ? pendingResponse(id) : ProblemResponses.of(
                io.mepsidecar.error.Problem.of(ProblemType.REPLY_TIMEOUT, "no reply to operation '"
                        + call.operation().name() + "' before the deadline of call " + id, id)));
        answer.whenComplete((done, error) -> results.unwatch(id, result));
        return answer;
    }

    private static Response resultResponse(Reply result, String correlationId) {
        return result == null ? ProblemResponses.of(new SidecarException(ProblemType.UNKNOWN_REPLY, "call "
                + correlationId + " was abandoned (DELETE)", correlationId).problem()) : replyResponse(result,
                correlationId);
    }

    private static String checkedKey(String key, String correlationId) {
        String trimmed = key.trim();
        if (trimmed.isEmpty() || trimmed.length() > 255 || !trimmed.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new SidecarException(ProblemType.BAD_REQUEST, CallHeaders.IDEMPOTENCY_KEY + " must be 1 to 255"
                    + " visible ASCII characters", correlationId);
        }
        return trimmed;
    }

    private void requireReplyListener(Operation operation, String correlationId) {
        if (!replyListener.isReady()) {
            metrics.callEnded(Role.CALLER, operation.name(), Outcome.UNAVAILABLE, null);
            throw new SidecarException(ProblemType.BROKER_UNAVAILABLE,
                    "the sidecar is not connected to the Kafka broker yet; no reply could be received", correlationId);
        }
    }

    private CompletionStage<Response> requestReply(Call request, String correlationId, Instant deadline,
            boolean idempotent) {
        Operation operation = request.operation();
        CallOptions options = request.options();
        HopStamps hops = request.hops();
        requireReplyListener(operation, correlationId);
        if (options.preferences().respondAsync() && results.isFull()) {
            metrics.callEnded(Role.CALLER, operation.name(), Outcome.REJECTED, null);
            throw new SidecarException(ProblemType.TOO_MANY_CALLS, "the results of asynchronous calls fill what"
                    + " this sidecar keeps (mep.caller.max-results, mep.caller.max-results-bytes); fetch or DELETE"
                    + " them, or retry later", correlationId);
        }
        PendingCall call = pendingCalls.register(correlationId, operation, options, deadline, hops);
        if (idempotent) {
            call.idempotent();
        }
        Timers.failAfter(vertx, call.reply(), Math.max(1, Duration.between(Instant.now(), deadline).toMillis()),
                TimeoutException::new);
        publisher.publish(operation, correlationId, request.contentType(), request.body(), deadline, hops,
                request.trace()).whenComplete((ack, error) -> {
            if (error != null) {
                pendingCalls.abandon(correlationId, error);
            } else if (call.isAsync()) {
                try {
                    answerAsynchronouslyAfter(call, options.preferences().waitFor().orElse(Duration.ZERO), deadline);
                } catch (RuntimeException e) {
                    call.response().completeExceptionally(e);
                }
            }
        });
        return call.response();
    }

    /** After {@code wait} (at most until the deadline) without a result, an asynchronous call is answered 202. */
    private void answerAsynchronouslyAfter(PendingCall call, Duration wait, Instant deadline) {
        long millis = Math.min(wait.toMillis(), Math.max(0, Duration.between(Instant.now(), deadline).toMillis()));
        if (millis == 0) {
            answerAccepted(call);
        } else {
            vertx.setTimer(millis, id -> answerAccepted(call));
        }
    }

    /**
     * Answers 202 once the call is kept in the state topic, so that this sidecar after a restart, and any other
     * replica of the app, knows it; if it cannot be kept the call is answered 503 (its request was published, and may
     * still be served).
     */
    private void answerAccepted(PendingCall call) {
        if (!call.answerAsynchronously()) {
            return;
        }
        results.accepted(call).whenComplete((kept, error) -> {
            if (error == null) {
                call.response().complete(Response.accepted()
                        .header(AppHeaders.CORRELATION_ID, call.correlationId())
                        .header(PREFERENCE_APPLIED, "respond-async")
                        .header(HttpHeaders.LOCATION, CallHeaders.REPLIES_PATH + call.correlationId())
                        .build());
            } else {
                SidecarException unavailable = new SidecarException(ProblemType.BROKER_UNAVAILABLE, "the call could"
                        + " not be kept in the state topic, so no 202 is given; its request was published and may"
                        + " still be served", call.correlationId());
                call.response().complete(ProblemResponses.of(unavailable.problem()));
                pendingCalls.abandon(call.correlationId(), new AbandonedException(call.correlationId()));
            }
        });
    }

    /** The result of an asynchronous call within {@code wait}, else 202 again; for {@code GET} long-polls. */
    CompletionStage<Response> awaitResult(PendingCall call, Duration wait) {
        CompletableFuture<Response> answer = call.reply().handle((reply, error) -> {
            Reply result = CallCompletion.resultOf(call, reply, error);
            return result == null ? pendingResponse(call.correlationId()) : replyResponse(result,
                    call.correlationId());
        });
        Timers.completeAfter(vertx, answer, wait.toMillis(), () -> pendingResponse(call.correlationId()));
        return answer;
    }

    /** The result of a call pending at another replica within {@code wait}, else 202 again. */
    CompletionStage<Response> awaitStoredResult(String correlationId, Duration wait) {
        CompletableFuture<Reply> result = results.watch(correlationId);
        CompletableFuture<Response> answer = result.thenApply(reply -> replyResponse(reply, correlationId));
        Timers.completeAfter(vertx, answer, wait.toMillis(), () -> pendingResponse(correlationId));
        answer.whenComplete((done, error) -> results.unwatch(correlationId, result));
        return answer;
    }

    private CompletionStage<Response> oneWay(Operation operation, String correlationId, String contentType,
            byte[] body, Instant deadline, TraceContext trace) {
        long start = System.nanoTime();
        Runnable done = pendingCalls.admitOneWay(correlationId, operation);
        CompletionStage<?> published;
        try {
            published = publisher.publish(operation, correlationId, contentType, body, deadline, null, trace);
        } catch (RuntimeException e) {
            done.run();
            throw e;
        }
        return published.whenComplete((ack, error) -> done.run())
                .handle((ack, error) -> {
                    Response response = error == null
                            ? Response.accepted().header(AppHeaders.CORRELATION_ID, correlationId).build()
                            : ProblemResponses.of(error, correlationId);
                    metrics.callEnded(Role.CALLER, operation.name(), response.getStatus() == 503 ? Outcome.UNAVAILABLE
                            : Outcome.ofStatus(response.getStatus()), Duration.ofNanos(System.nanoTime() - start));
                    return response;
                });
    }

    static Response pendingResponse(String correlationId) {
        return Response.accepted()
                .header(AppHeaders.CORRELATION_ID, correlationId)
                .header("Retry-After", "1")
                .header(HttpHeaders.LOCATION, CallHeaders.REPLIES_PATH + correlationId)
                .build();
    }

    /**
     * The result as the caller's HTTP response, its content type passed on as it came (it was checked to be a media
     * type when the reply was read). A reply without a content type is answered without one when it has no body, and
     * as {@code application/octet-stream} when it has one. A reply with a {@code traceparent} gives it to the caller as
     * {@code traceresponse} (W3C Trace Context Level 2; docs/protocol.md, "Trace context").
     */
    static Response replyResponse(Reply reply, String correlationId) {
        return replyResponse(reply, correlationId, null);
    }

    /**
     * As {@link #replyResponse(Reply, String)}; a traced call ({@code hops} not null) is stamped at {@code http-out}
     * and answered with all its stamps in {@code Mep-Hops}.
     */
    static Response replyResponse(Reply reply, String correlationId, HopStamps hops) {
        Response.ResponseBuilder response = Response.status(reply.status())
                .header(AppHeaders.CORRELATION_ID, correlationId);
        if (hops != null) {
            hops.stamp(Hop.HTTP_OUT);
            response.header(CallHeaders.HOPS, hops.format());
        }
        if (reply.trace() != null && reply.trace().traceparent() != null) {
            response.header(TraceContext.TRACERESPONSE, reply.trace().traceparent());
        }
        if (reply.body().length == 0 && reply.contentType() == null) {
            return response.build();
        }
        return response.entity(reply.body()).header(HttpHeaders.CONTENT_TYPE,
                reply.contentType() == null ? MediaType.APPLICATION_OCTET_STREAM : reply.contentType()).build();
    }
}
