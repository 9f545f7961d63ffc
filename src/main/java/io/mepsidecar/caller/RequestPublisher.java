package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import io.mepsidecar.kafka.KafkaSender;
import io.mepsidecar.kafka.RecordHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** Publishes a call's request record with the protocol headers; docs/protocol.md describes the record. */
@ApplicationScoped
public class RequestPublisher {

    @Inject
    KafkaSender sender;

    @Inject
    SidecarIdentity identity;

    @Inject
    SidecarConfig config;

    /**
     * Completes when the broker acknowledged the request; fails with a 503 {@link SidecarException} when it could not
     * be published within the publish timeout.
     */
    public CompletableFuture<RecordMetadata> publish(Operation operation, String correlationId, String contentType,
            byte[] body, Instant deadline) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(operation.topic(), correlationId, body);
        Headers headers = record.headers();
        RecordHeaders.put(headers, WireHeaders.SPEC_VERSION, WireHeaders.SPEC_VERSION_VALUE);
        RecordHeaders.put(headers, WireHeaders.ID, correlationId);
        RecordHeaders.put(headers, WireHeaders.TYPE, operation.name());
        RecordHeaders.put(headers, WireHeaders.SOURCE, identity.source());
        RecordHeaders.put(headers, WireHeaders.TIME, Instant.now().toString());
        RecordHeaders.put(headers, WireHeaders.CONTENT_TYPE, contentType);
        RecordHeaders.put(headers, WireHeaders.CORRELATION_ID, correlationId);
        RecordHeaders.put(headers, WireHeaders.DEADLINE, deadline.toString());
        if (operation.expectsReply()) {
            RecordHeaders.put(headers, WireHeaders.REPLY_TO, identity.replyTopic());
            RecordHeaders.put(headers, WireHeaders.REPLY_INSTANCE, identity.instanceId());
        }
        long timeout = config.caller().publishTimeout().toMillis();
        return sender.send(record)
                .orTimeout(timeout, TimeUnit.MILLISECONDS)
                .exceptionally(error -> {
                    throw new CompletionException(publishFailure(error, operation, correlationId, timeout));
                });
    }

    /** 413 for a record the producer will never accept; 503 for anything that may pass. */
    private static SidecarException publishFailure(Throwable error, Operation operation, String correlationId,
            long timeout) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof RecordTooLargeException) {
            return new SidecarException(ProblemType.PAYLOAD_TOO_LARGE, "the request is larger than the Kafka "
                    + "producer accepts (kafka.max.request.size): " + cause.getMessage(), correlationId);
        }
        return new SidecarException(ProblemType.BROKER_UNAVAILABLE, "the request could not be published to topic "
                + operation.topic() + " within " + timeout + " ms: " + rootCause(cause), correlationId);
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
