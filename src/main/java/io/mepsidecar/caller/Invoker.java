package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.error.ProblemResponses;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import io.mepsidecar.lifecycle.GracefulStop;
import io.mepsidecar.observability.Outcome;
import io.mepsidecar.observability.Role;
import io.mepsidecar.observability.SidecarMetrics;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    public CompletionStage<Response> invoke(String operationName, String contentType, byte[] body,
            List<String> prefer, String timeout, String callback) {
        String correlationId = UUID.randomUUID().toString();
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
        return operation.expectsReply()
                ? requestReply(operation, correlationId, options, contentType, body, deadline)
                : oneWay(operation, correlationId, contentType, body, deadline);
    }

    private CompletionStage<Response> requestReply(Operation operation, String correlationId, CallOptions options,
            String contentType, byte[] body, Instant deadline) {
        if (!replyListener.isReady()) {
            metrics.callEnded(Role.CALLER, operation.name(), Outcome.UNAVAILABLE, null);
            throw new SidecarException(ProblemType.BROKER_UNAVAILABLE,
                    "the sidecar is not connected to the Kafka broker yet; no reply could be received", correlationId);
        }
        if (options.preferences().respondAsync() && results.isFull()) {
            metrics.callEnded(Role.CALLER, operation.name(), Outcome.REJECTED, null);
            throw new SidecarException(ProblemType.TOO_MANY_CALLS, "the results of asynchronous calls fill what"
                    + " this sidecar keeps (mep.caller.max-results, mep.caller.max-results-bytes); fetch or DELETE"
                    + " them, or retry later", correlationId);
        }
        PendingCall call = pendingCalls.register(correlationId, operation, options, deadline);
        Timers.failAfter(vertx, call.reply(), options.timeout().toMillis(), TimeoutException::new);
        publisher.publish(operation, correlationId, contentType, body, deadline).whenComplete((ack, error) -> {
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

    private static void answerAccepted(PendingCall call) {
        if (call.answerAsynchronously()) {
            call.response().complete(Response.accepted()
                    .header(AppHeaders.CORRELATION_ID, call.correlationId())
                    .header(PREFERENCE_APPLIED, "respond-async")
                    .header(HttpHeaders.LOCATION, CallHeaders.REPLIES_PATH + call.correlationId())
                    .build());
        }
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

    private CompletionStage<Response> oneWay(Operation operation, String correlationId, String contentType,
            byte[] body, Instant deadline) {
        long start = System.nanoTime();
        return publisher.publish(operation, correlationId, contentType, body, deadline)
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
     * as {@code application/octet-stream} when it has one.
     */
    static Response replyResponse(Reply reply, String correlationId) {
        Response.ResponseBuilder response = Response.status(reply.status())
                .header(AppHeaders.CORRELATION_ID, correlationId);
        if (reply.body().length == 0 && reply.contentType() == null) {
            return response.build();
        }
        return response.entity(reply.body()).header(HttpHeaders.CONTENT_TYPE,
                reply.contentType() == null ? MediaType.APPLICATION_OCTET_STREAM : reply.contentType()).build();
    }
}
