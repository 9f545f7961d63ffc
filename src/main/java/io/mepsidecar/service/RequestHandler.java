package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.contract.CorrelationIds;
import io.mepsidecar.contract.HeaderValues;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.error.Failures;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.observability.Outcome;
import io.mepsidecar.observability.Role;
import io.mepsidecar.observability.SidecarMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves one request record: delivers it to the app and publishes the answer as the reply. The returned future
 * completes when the request is finished (its offset may be committed); it fails when the request must be read
 * again: its reply could not be published for a passing reason, or a one-way request never reached the app.
 */
@ApplicationScoped
public class RequestHandler {

    private static final Logger LOG = Logger.getLogger(RequestHandler.class);
    private static final int ACCEPTED = 202;

    @Inject
    AppClient appClient;

    @Inject
    ReplyPublisher replyPublisher;

    @Inject
    SidecarMetrics metrics;

    @Inject
    DeferredReplies deferredReplies;

    CompletableFuture<Void> handle(ServedOperation served, ConsumerRecord<String, byte[]> record) {
        try {
            return serve(served, record);
        } catch (RuntimeException e) {
            LOG.errorf(e, "skipped the request at %s-%d@%d: it could not be handled", record.topic(),
                    record.partition(), record.offset());
            return CompletableFuture.completedFuture(null);
        }
    }

    private CompletableFuture<Void> serve(ServedOperation served, ConsumerRecord<String, byte[]> record) {
        Operation operation = served.operation();
        AppRequest request;
        try {
            request = decode(operation, record);
        } catch (IllegalArgumentException e) {
            LOG.warnf("skipped undecodable request at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            metrics.callEnded(Role.SERVICE, operation.name(), Outcome.SKIPPED, null);
            return CompletableFuture.completedFuture(null);
        }
        if (request.isExpired(Instant.now())) {
            LOG.infof("request %s to %s expired before delivery (deadline %s)", request.correlationId(),
                    operation.name(), request.deadline());
            metrics.callEnded(Role.SERVICE, operation.name(), Outcome.EXPIRED, null);
            return CompletableFuture.completedFuture(null);
        }
        long start = System.nanoTime();
        AtomicInteger inFlight = metrics.inFlight(Role.SERVICE, operation.name());
        if (operation.expectsReply()) {
            deferredReplies.expect(operation, request); // before delivery: the app may PUT before its 202 is read
        }
        inFlight.incrementAndGet();
        CompletableFuture<AppResponse> answer = appClient.deliver(served, request); // never throws
        CompletableFuture<Void> finished = operation.expectsReply()
                ? answer.thenCompose(response -> reply(operation, request, response))
                : answer.thenAccept(response -> requireDelivered(response, request));
        return finished.whenComplete((done, error) -> {
            inFlight.decrementAndGet();
            metrics.callEnded(Role.SERVICE, operation.name(), outcomeOf(operation, answer.getNow(null)),
                    Duration.ofNanos(System.nanoTime() - start));
        });
    }

    private static Outcome outcomeOf(Operation operation, AppResponse response) {
        if (response == null || !response.delivered()) {
            return Outcome.UNDELIVERABLE;
        }
        boolean deferred = operation.expectsReply() && response.status() == ACCEPTED;
        return deferred ? Outcome.DEFERRED : Outcome.ofStatus(response.status());
    }

    /**
     * Publishes the app's answer. A 202 means the app will PUT the reply itself, so the request is finished here;
     * a reply the app already PUT stands.
     */
    private CompletableFuture<Void> reply(Operation operation, AppRequest request, AppResponse response) {
        if (response.delivered() && response.status() == ACCEPTED) {
            return CompletableFuture.completedFuture(null);
        }
        if (deferredReplies.answered(request.correlationId())) {
            LOG.warnf("the app both PUT a reply to %s and answered it with %d; the PUT reply stands",
                    request.correlationId(), response.status());
            return CompletableFuture.completedFuture(null);
        }
        return replyPublisher.publish(operation, request, response)
                .handle((metadata, error) -> replyPublished(error, request));
    }

    /** A one-way request the app never received is not finished: it is read again, never dropped. */
    private static void requireDelivered(AppResponse response, AppRequest request) {
        if (!response.delivered()) {
            throw new IllegalStateException("one-way request " + request.correlationId()
                    + " was not delivered to the app (" + response.status() + ")");
        }
    }

    /**
     * A reply that failed for a reason that may pass (broker away) fails the request, so it is read again; one that
     * can never be published (too large, forbidden or invalid topic) is logged and the request finished.
     */
    private static Void replyPublished(Throwable error, AppRequest request) {
        Throwable cause = Failures.unwrap(error);
        if (cause == null) {
            return null;
        }
        if (cause instanceof RetriableException) {
            throw new CompletionException(cause);
        }
        LOG.errorf("the reply to %s cannot be published to %s and is dropped: %s", request.correlationId(),
                request.replyTo(), cause.toString());
        return null;
    }

    private static AppRequest decode(Operation operation, ConsumerRecord<String, byte[]> record) {
        Headers headers = record.headers();
        String correlationId = RecordHeaders.get(headers, WireHeaders.CORRELATION_ID)
                .orElseThrow(() -> new IllegalArgumentException("no " + WireHeaders.CORRELATION_ID + " header"));
        if (!CorrelationIds.isValid(correlationId)) {
            throw new IllegalArgumentException(WireHeaders.CORRELATION_ID + " is not a correlation id ("
                    + CorrelationIds.RULE + ")");
        }
        String contentType = headerSafe(headers, WireHeaders.CONTENT_TYPE);
        String caller = headerSafe(headers, WireHeaders.SOURCE);
        String replyTo = RecordHeaders.get(headers, WireHeaders.REPLY_TO).orElse(null);
        if (operation.expectsReply() && replyTo == null) {
            throw new IllegalArgumentException("request " + correlationId + " has no " + WireHeaders.REPLY_TO);
        }
        Instant deadline = RecordHeaders.get(headers, WireHeaders.DEADLINE)
                .map(RequestHandler::instant)
                .orElseGet(() -> Instant.ofEpochMilli(record.timestamp()).plus(operation.timeout()));
        return new AppRequest(correlationId, deadline, contentType,
                record.value() == null ? new byte[0] : record.value(), caller, replyTo,
                RecordHeaders.get(headers, WireHeaders.REPLY_INSTANCE).orElse(null));
    }

    /** A header that is handed to the app as an HTTP header: refused when it holds a control or non-ASCII byte. */
    private static String headerSafe(Headers headers, String name) {
        String value = RecordHeaders.get(headers, name).orElse(null);
        if (value != null && !HeaderValues.isSafe(value)) {
            throw new IllegalArgumentException(name + " holds a control or non-ASCII character");
        }
        return value;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(WireHeaders.DEADLINE + " '" + text + "' is not an RFC 3339 instant");
        }
    }
}
