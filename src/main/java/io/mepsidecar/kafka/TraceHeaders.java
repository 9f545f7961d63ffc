package io.mepsidecar.kafka;

import io.mepsidecar.contract.TraceContext;
import org.apache.kafka.common.header.Headers;

/**
 * Writes and reads a {@link TraceContext} as Kafka record headers of the same names: {@code traceparent},
 * {@code tracestate}, {@code baggage}.
 */
public final class TraceHeaders {

    private TraceHeaders() {
    }

    /** Adds the context's headers to a record; nothing when it is null. */
    public static void write(Headers headers, TraceContext trace) {
        if (trace != null) {
            RecordHeaders.put(headers, TraceContext.TRACEPARENT, trace.traceparent());
            RecordHeaders.put(headers, TraceContext.TRACESTATE, trace.tracestate());
            RecordHeaders.put(headers, TraceContext.BAGGAGE, trace.baggage());
        }
    }

    /**
     * The checked context of a record, or null: the plain W3C names, or, when a record has no {@code traceparent},
     * the CloudEvents Kafka-binding names {@code ce_traceparent} and {@code ce_tracestate}.
     */
    public static TraceContext read(Headers headers) {
        boolean plain = headers.lastHeader(TraceContext.TRACEPARENT) != null;
        return TraceContext.of(
                RecordHeaders.get(headers, plain ? TraceContext.TRACEPARENT : TraceContext.CE_TRACEPARENT).orElse(null),
                RecordHeaders.get(headers, plain ? TraceContext.TRACESTATE : TraceContext.CE_TRACESTATE).orElse(null),
                RecordHeaders.get(headers, TraceContext.BAGGAGE).orElse(null));
    }
}
