package io.mepsidecar.service;

import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Hop;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.error.Problem;
import io.mepsidecar.kafka.KafkaSender;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.kafka.TopicDirectory;
import io.mepsidecar.kafka.TraceHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes the app's answer as the correlated reply to the topic the request named, with the request's correlation
 * id in the request's dialect (the same header, the same bytes), so a Spring or SmallRye client matches it too, and
 * with the trace context the app answered with, else the request's.
 */
@ApplicationScoped
public class ReplyPublisher {

    @Inject
    KafkaSender sender;

    @Inject
    SidecarIdentity identity;

    @Inject
    TopicDirectory topics;

    CompletableFuture<RecordMetadata> publish(Operation operation, AppRequest request, AppResponse response) {
        if (request.replyPartition() == null) {
            return publish(operation, request, response, null);
        }
        // The partition the caller reads, if the topic has it; else the key's (a sidecar caller finds it there too).
        // The topic's partitions are known once it was looked up: the first reply to a topic waits for that.
        return topics.requireExisting(request.replyTo()).handle((found, error) -> null) // the send reports errors
                .thenCompose(known -> publish(operation, request, response,
                        topics.hasPartition(request.replyTo(), request.replyPartition())
                                ? request.replyPartition() : null));
    }

    private CompletableFuture<RecordMetadata> publish(Operation operation, AppRequest request, AppResponse response,
            Integer partition) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(request.replyTo(), partition,
                request.correlationId(), response.body());
        Headers headers = record.headers();
        RecordHeaders.put(headers, WireHeaders.SPEC_VERSION, WireHeaders.SPEC_VERSION_VALUE);
        RecordHeaders.put(headers, WireHeaders.ID, UUID.randomUUID().toString());
        RecordHeaders.put(headers, WireHeaders.TYPE, operation.name() + WireHeaders.REPLY_TYPE_SUFFIX);
        RecordHeaders.put(headers, WireHeaders.SOURCE, identity.source());
        RecordHeaders.put(headers, WireHeaders.TIME, Instant.now().toString());
        RecordHeaders.put(headers, WireHeaders.CONTENT_TYPE, response.contentType());
        headers.add(request.correlation().dialect().correlationHeader(), request.correlation().bytes());
        RecordHeaders.put(headers, WireHeaders.STATUS, Integer.toString(response.status()));
        RecordHeaders.put(headers, WireHeaders.REPLY_INSTANCE, request.replyInstance());
        if (response.appDuration() != null) {
            RecordHeaders.put(headers, WireHeaders.APP_DURATION, response.appDuration().toString());
        }
        TraceHeaders.write(headers, TraceContext.either(response.trace(), request.trace()));
        if (request.hops() != null) { // a traced call: this sidecar's stamps go back with the reply
            request.hops().stamp(Hop.REPLY_SEND);
            RecordHeaders.put(headers, WireHeaders.HOPS, request.hops().format());
        }
        return sender.send(record);
    }

    /** Publishes a problem of the serving sidecar as the reply, in place of the app's answer. */
    CompletableFuture<RecordMetadata> publishProblem(Operation operation, AppRequest request, Problem problem) {
        return publish(operation, request, new AppResponse(problem.status(), Problem.MEDIA_TYPE, problem.toJson(),
                AppResponse.Delivery.ANSWERED, null));
    }
}
