package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Dialect;
import io.mepsidecar.contract.Hop;
import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.kafka.KafkaSender;
import io.mepsidecar.kafka.PublishFailures;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.kafka.TraceHeaders;
import io.mepsidecar.tracing.SidecarSpan;
import io.mepsidecar.tracing.Tracing;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Publishes a call's request record with the protocol headers; docs/protocol.md describes the record. The correlation
 * id, reply topic and reply partition go in the headers of the operation's dialect ({@link Dialect}), so that a
 * Spring or SmallRye service can answer it; the CloudEvents attributes are there in every dialect.
 */
@ApplicationScoped
public class RequestPublisher {

    @Inject
    KafkaSender sender;

    @Inject
    SidecarIdentity identity;

    @Inject
    SidecarConfig config;

    @Inject
    Vertx vertx;

    @Inject
    ReplyListener replyListener;

    @Inject
    Tracing tracing;

    /**
     * Completes when the broker acknowledged the request; fails with a 503 {@link SidecarException} when it could not
     * be published within the publish timeout. A traced call ({@code hops} not null) is stamped at {@code publish},
     * {@code send} and {@code ack}, and its record asks the serving sidecar for its stamps ({@code mep-hops}). The
     * caller's trace context ({@code trace}, possibly null) goes on the record as it came; with the sidecar's own spans
     * ({@code mep.tracing.otlp-endpoint}) its {@code traceparent} names instead the PRODUCER span of this publish, a
     * child of the caller's, which ends when the broker acknowledged the record (or the publish failed).
     */
    public CompletableFuture<RecordMetadata> publish(Operation operation, String correlationId, String contentType,
            byte[] body, Instant deadline, HopStamps hops, TraceContext trace) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(operation.topic(), correlationId, body);
        Headers headers = record.headers();
        RecordHeaders.put(headers, WireHeaders.SPEC_VERSION, WireHeaders.SPEC_VERSION_VALUE);
        RecordHeaders.put(headers, WireHeaders.ID, correlationId);
        RecordHeaders.put(headers, WireHeaders.TYPE, operation.name());
        RecordHeaders.put(headers, WireHeaders.SOURCE, identity.source());
        RecordHeaders.put(headers, WireHeaders.TIME, Instant.now().toString());
        RecordHeaders.put(headers, WireHeaders.CONTENT_TYPE, contentType);
        Dialect dialect = operation.dialect();
        RecordHeaders.put(headers, dialect.correlationHeader(), correlationId);
        RecordHeaders.put(headers, WireHeaders.DEADLINE, deadline.toString());
        SidecarSpan span = tracing.publishing(operation.topic(), operation.name(), correlationId, trace);
        TraceHeaders.write(headers, span.trace());
        if (operation.expectsReply()) {
            RecordHeaders.put(headers, dialect.replyTopicHeader(), identity.replyTopic());
            RecordHeaders.put(headers, WireHeaders.REPLY_INSTANCE, identity.instanceId());
            replyListener.replyPartition().ifPresent(partition ->
                    headers.add(dialect.replyPartitionHeader(), dialect.encodePartition(partition)));
        }
        long timeout = config.caller().publishTimeout().toMillis();
        CompletableFuture<RecordMetadata> acknowledged = hops == null ? sender.send(record) : sendTraced(record, hops);
        Timers.failAfter(vertx, acknowledged, timeout, TimeoutException::new);
        if (span.isRecorded()) {
            acknowledged.whenComplete((metadata, error) -> ended(span, metadata, error));
        }
        return acknowledged
                .exceptionally(error -> {
                    throw new CompletionException(PublishFailures.problem(error, "the request to topic "
                            + operation.topic() + " (within " + timeout + " ms)", correlationId));
                });
    }

    private static void ended(SidecarSpan span, RecordMetadata metadata, Throwable error) {
        if (error != null) {
            span.failed(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
        } else if (metadata != null && metadata.hasOffset()) {
            span.position(metadata.partition(), metadata.offset());
        }
        span.end();
    }

    private CompletableFuture<RecordMetadata> sendTraced(ProducerRecord<String, byte[]> record, HopStamps hops) {
        hops.stamp(Hop.PUBLISH);
        RecordHeaders.put(record.headers(), WireHeaders.HOPS, hops.format());
        CompletableFuture<RecordMetadata> acknowledged = sender.send(record, () -> hops.stamp(Hop.SEND));
        acknowledged.thenRun(() -> hops.stamp(Hop.ACK)); // on the producer's I/O thread
        return acknowledged;
    }
}
