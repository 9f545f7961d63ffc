package io.mepsidecar.tracing;

import io.mepsidecar.contract.TraceContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the sidecar's spans, with the OpenTelemetry messaging semantic conventions: a {@link SpanKind#PRODUCER}
 * span {@code send <topic>} per request record a caller sidecar publishes, and a {@link SpanKind#CONSUMER} span
 * {@code process <topic>} per request record a serving sidecar delivers to its app. Each is a child of the trace
 * context it is given (the calling app's, or the request record's), or the root of a new trace when that has no
 * {@code traceparent}; the context it passes on names the new span.
 */
public final class SpanFactory {

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> CONVERSATION_ID = AttributeKey.stringKey("messaging.message.conversation_id");
    static final AttributeKey<String> CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    /** The contract's operation name: not a semantic convention, the sidecar's own. */
    static final AttributeKey<String> MEP_OPERATION = AttributeKey.stringKey("mep.operation");

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<TraceContext> FROM_TRACE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceContext carrier) {
            return List.of(TraceContext.TRACEPARENT, TraceContext.TRACESTATE);
        }

        @Override
        public String get(TraceContext carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return switch (key) {
                case TraceContext.TRACEPARENT -> carrier.traceparent();
                case TraceContext.TRACESTATE -> carrier.tracestate();
                default -> null;
            };
        }
    };

    private final Tracer tracer;

    public SpanFactory(Tracer tracer) {
        this.tracer = tracer;
    }

    /**
     * The span of publishing one request record, from the publish until the broker acknowledged it.
     *
     * @param topic         the request topic
     * @param operation     the contract's operation
     * @param correlationId the call's correlation id
     * @param trace         the calling app's trace context, possibly null
     */
    public SidecarSpan producer(String topic, String operation, String correlationId, TraceContext trace) {
        SpanBuilder builder = tracer.spanBuilder("send " + topic).setSpanKind(SpanKind.PRODUCER)
                .setAttribute(OPERATION_TYPE, "send").setAttribute(OPERATION_NAME, "send");
        return start(builder, topic, operation, correlationId, trace);
    }

    /**
     * The span of serving one request record, from its handling until the reply is published (request-reply) or the
     * app took the message (one-way).
     *
     * @param topic         the request topic
     * @param partition     the record's partition
     * @param offset        the record's offset
     * @param group         the consumer or share group that read it (the app's name)
     * @param operation     the contract's operation
     * @param correlationId the call's correlation id
     * @param trace         the record's trace context, possibly null
     */
    public SidecarSpan consumer(String topic, int partition, long offset, String group, String operation,
            String correlationId, TraceContext trace) {
        SpanBuilder builder = tracer.spanBuilder("process " + topic).setSpanKind(SpanKind.CONSUMER)
                .setAttribute(OPERATION_TYPE, "process").setAttribute(OPERATION_NAME, "process")
                .setAttribute(CONSUMER_GROUP, group);
        SidecarSpan span = start(builder, topic, operation, correlationId, trace);
        span.position(partition, offset);
        return span;
    }

    private static SidecarSpan start(SpanBuilder builder, String topic, String operation, String correlationId,
            TraceContext trace) {
        Context parent = W3C.extract(Context.root(), trace, FROM_TRACE);
        Span span = builder.setParent(parent)
                .setAttribute(SYSTEM, "kafka")
                .setAttribute(DESTINATION, topic)
                .setAttribute(CONVERSATION_ID, correlationId)
                .setAttribute(MEP_OPERATION, operation)
                .startSpan();
        return new SidecarSpan(span, passedOn(span, trace));
    }

    /** The trace context naming {@code span}, with the tracestate and baggage of {@code trace} unchanged. */
    static TraceContext passedOn(Span span, TraceContext trace) {
        Map<String, String> headers = new HashMap<>();
        W3C.inject(Context.root().with(span), headers, Map::put);
        String traceparent = headers.get(TraceContext.TRACEPARENT);
        if (traceparent == null) { // an invalid span context (never from the SDK): pass on what came
            return trace;
        }
        boolean sameTrace = trace != null && trace.traceparent() != null
                && trace.traceId().equals(span.getSpanContext().getTraceId());
        return new TraceContext(traceparent, sameTrace ? trace.tracestate() : null,
                trace == null ? null : trace.baggage());
    }
}
