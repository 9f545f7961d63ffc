package io.mepsidecar.caller;

import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.error.ProblemResponses;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Turns one HTTP call of the app into a published request and, for request-reply, the correlated reply. */
@ApplicationScoped
public class Invoker {

    private static final Logger LOG = Logger.getLogger(Invoker.class);

    @Inject
    Contract contract;

    @Inject
    PendingCalls pendingCalls;

    @Inject
    RequestPublisher publisher;

    @Inject
    ReplyListener replyListener;

    public CompletionStage<Response> invoke(String operationName, String contentType, byte[] body) {
        String correlationId = UUID.randomUUID().toString();
        Operation operation = contract.find(operationName).orElseThrow(() -> new SidecarException(
                ProblemType.UNKNOWN_OPERATION, "operation '" + operationName + "' is not in the contract",
                correlationId));
        Instant deadline = Instant.now().plus(operation.timeout());
        return operation.expectsReply()
                ? requestReply(operation, correlationId, contentType, body, deadline)
                : oneWay(operation, correlationId, contentType, body, deadline);
    }

    private CompletionStage<Response> requestReply(Operation operation, String correlationId, String contentType,
            byte[] body, Instant deadline) {
        if (!replyListener.isReady()) {
            throw new SidecarException(ProblemType.BROKER_UNAVAILABLE,
                    "the sidecar is not connected to the Kafka broker yet; no reply could be received", correlationId);
        }
        PendingCall call = pendingCalls.register(correlationId, operation, deadline);
        long waitMillis = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        CompletionStage<Response> response = call.reply()
                .orTimeout(waitMillis, TimeUnit.MILLISECONDS)
                .handle((reply, error) -> error == null
                        ? replyResponse(reply, correlationId)
                        : failure(error, operation, correlationId));
        publisher.publish(operation, correlationId, contentType, body, deadline)
                .whenComplete((ack, error) -> {
                    if (error != null) {
                        pendingCalls.abandon(correlationId, error);
                    }
                });
        return response;
    }

    private CompletionStage<Response> oneWay(Operation operation, String correlationId, String contentType,
            byte[] body, Instant deadline) {
        return publisher.publish(operation, correlationId, contentType, body, deadline)
                .handle((ack, error) -> error == null
                        ? Response.accepted().header(AppHeaders.CORRELATION_ID, correlationId).build()
                        : ProblemResponses.of(error, correlationId));
    }

    private static Response replyResponse(Reply reply, String correlationId) {
        Response.ResponseBuilder response = Response.status(reply.status())
                .header(AppHeaders.CORRELATION_ID, correlationId)
                .entity(reply.body());
        if (reply.contentType() != null) {
            response.type(mediaType(reply.contentType(), correlationId));
        }
        return response.build();
    }

    /** The reply's content type; one that cannot be parsed is passed on as bytes rather than failing the call. */
    private static MediaType mediaType(String contentType, String correlationId) {
        try {
            return MediaType.valueOf(contentType);
        } catch (IllegalArgumentException e) {
            LOG.warnf("reply %s has an unreadable content type '%s'; answered as application/octet-stream",
                    correlationId, contentType);
            return MediaType.APPLICATION_OCTET_STREAM_TYPE;
        }
    }

    private Response failure(Throwable error, Operation operation, String correlationId) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            pendingCalls.abandon(correlationId, cause);
            LOG.infof("call %s to %s got no reply within %s", correlationId, operation.name(), operation.timeout());
            return ProblemResponses.of(new SidecarException(ProblemType.REPLY_TIMEOUT, "no reply to operation '"
                    + operation.name() + "' within " + operation.timeout().toMillis() + " ms", correlationId)
                    .problem());
        }
        return ProblemResponses.of(cause, correlationId);
    }
}
