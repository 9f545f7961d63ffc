package io.mepsidecar.service;

import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.contract.WireCorrelation;

import java.time.Duration;
import java.time.Instant;

/**
 * A request as decoded from its Kafka record.
 *
 * @param correlation   correlation id of the call, in the dialect and bytes it came in (a reply echoes them)
 * @param deadline      request-reply: instant after which the caller no longer waits; one-way: instant until which
 *                      the sidecar waits for the app to take the message
 * @param contentType   payload content type, possibly null
 * @param body          payload
 * @param caller        {@code ce_source} of the caller, possibly null
 * @param replyTo       reply topic; null for one-way operations
 * @param replyInstance caller instance to echo in the reply, possibly null
 * @param replyPartition partition of the reply topic the caller reads, possibly null
 * @param hops          this sidecar's hop stamps when the caller traces the call ({@code mep-hops}); else null
 * @param trace         the record's checked W3C trace context, passed on to the app; null when it has none
 */
record AppRequest(WireCorrelation correlation, Instant deadline, String contentType, byte[] body, String caller,
        String replyTo, String replyInstance, Integer replyPartition, HopStamps hops, TraceContext trace)
        implements Decoded {

    private static final Duration MAX_WAIT = Duration.ofDays(1);

    /** The correlation id as text: what the app sees in {@code Mep-Correlation-Id} and the state is keyed by. */
    String correlationId() {
        return correlation.id();
    }

    /**
     * The same request without its payload, to keep while a reply is awaited; without hop stamps too, since a reply
     * the app gives later (PUT) is not traced, but with its trace context, which goes on that reply.
     */
    AppRequest withoutBody() {
        return new AppRequest(correlation, deadline, contentType, new byte[0], caller, replyTo, replyInstance,
                replyPartition, null, trace);
    }

    /** The same request with another deadline: a one-way message delivered again gets a new one. */
    AppRequest withDeadline(Instant newDeadline) {
        return new AppRequest(correlation, newDeadline, contentType, body, caller, replyTo, replyInstance,
                replyPartition, hops, trace);
    }

    /** Bytes this request keeps in memory while a deferred reply is expected (without its body). */
    int retainedBytes() {
        return 64 + length(correlation.id()) + correlation.bytes().length + length(contentType) + length(caller)
                + length(replyTo) + length(replyInstance) + (trace == null ? 0 : length(trace.traceparent())
                + length(trace.tracestate()) + length(trace.baggage()));
    }

    private static int length(String text) {
        return text == null ? 0 : 2 * text.length();
    }

    boolean isExpired(Instant now) {
        return !now.isBefore(deadline);
    }

    /** Milliseconds until the deadline, at least 1 and at most a day (a far-future deadline must not overflow). */
    long millisLeft(Instant now) {
        if (!now.isBefore(deadline)) {
            return 1;
        }
        Instant cap = now.plus(MAX_WAIT);
        return Math.max(1, Duration.between(now, deadline.isAfter(cap) ? cap : deadline).toMillis());
    }
}
