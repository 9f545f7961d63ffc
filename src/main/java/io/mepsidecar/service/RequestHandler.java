package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.observability.SidecarMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;

/**
 * Serves one request record: delivers it to the app and publishes the answer as the reply. The returned future
 * completes when the request is finished (its offset may be committed) and fails only when the reply could not be
 * published, so that the request is read again.
 */
@ApplicationScoped
public class RequestHandler {

    private static final Logger LOG = Logger.getLogger(RequestHandler.class);

    @Inject
    AppClient appClient;

    @Inject
    ReplyPublisher replyPublisher;

    @Inject
    SidecarMetrics metrics;

    CompletableFuture<Void> handle(ServedOperation served, ConsumerRecord<String, byte[]> record) {
        Operation operation = served.operation();
        AppRequest request;
        try {
            request = decode(operation, record);
        } catch (IllegalArgumentException e) {
            LOG.warnf("skipped undecodable request at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        if (request.isExpired(Instant.now())) {
            LOG.infof("request %s to %s expired before delivery (deadline %s)", request.correlationId(),
                    operation.name(), request.deadline());
            metrics.expiredRequest(operation.name());
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<AppResponse> answer = appClient.deliver(served, request);
        if (!operation.expectsReply()) {
            return answer.thenApply(response -> null);
        }
        return answer.thenCompose(response -> replyPublisher.publish(operation, request, response))
                .thenApply(metadata -> null);
    }

    private static AppRequest decode(Operation operation, ConsumerRecord<String, byte[]> record) {
        Headers headers = record.headers();
        String correlationId = RecordHeaders.get(headers, WireHeaders.CORRELATION_ID)
                .orElseThrow(() -> new IllegalArgumentException("no " + WireHeaders.CORRELATION_ID + " header"));
        String replyTo = RecordHeaders.get(headers, WireHeaders.REPLY_TO).orElse(null);
        if (operation.expectsReply() && replyTo == null) {
            throw new IllegalArgumentException("request " + correlationId + " has no " + WireHeaders.REPLY_TO);
        }
        Instant deadline = RecordHeaders.get(headers, WireHeaders.DEADLINE)
                .map(RequestHandler::instant)
                .orElseGet(() -> Instant.ofEpochMilli(record.timestamp()).plus(operation.timeout()));
        return new AppRequest(correlationId, deadline,
                RecordHeaders.get(headers, WireHeaders.CONTENT_TYPE).orElse(null),
                record.value() == null ? new byte[0] : record.value(),
                RecordHeaders.get(headers, WireHeaders.SOURCE).orElse(null),
                replyTo,
                RecordHeaders.get(headers, WireHeaders.REPLY_INSTANCE).orElse(null));
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(WireHeaders.DEADLINE + " '" + text + "' is not an RFC 3339 instant");
        }
    }
}
