package io.mepsidecar.contract;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * W3C trace context of a call: {@code traceparent} and {@code tracestate} (W3C Trace Context) and {@code baggage}
 * (W3C Baggage), each already checked, or null when absent or unusable. The sidecar passes them on unchanged, under the
 * same names, from the calling app's HTTP request to the request record, to the serving app's HTTP request, and back
 * (docs/protocol.md, "Trace context").
 *
 * <p>A value that does not pass its check is dropped, never an error: a call is made whatever its trace context.
 * Without a usable {@code traceparent} the {@code tracestate} is dropped too (it only qualifies a traceparent);
 * {@code baggage} is independent of both.
 *
 * @param traceparent {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}, ids not all zero; or null
 * @param tracestate  vendor entries, at most {@value #MAX_TRACESTATE} printable ASCII characters; or null
 * @param baggage     application entries, at most {@value #MAX_BAGGAGE} printable ASCII characters; or null
 */
public record TraceContext(String traceparent, String tracestate, String baggage) {

    /** HTTP and Kafka header names (the same in both, and in every header dialect). */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    public static final String BAGGAGE = "baggage";
    /** CloudEvents distributed-tracing extension in the Kafka binding; read when the plain header is absent. */
    public static final String CE_TRACEPARENT = "ce_traceparent";
    public static final String CE_TRACESTATE = "ce_tracestate";
    /**
     * W3C Trace Context Level 2 response header: on the calling app's HTTP response, the {@code traceparent} of the
     * reply (the serving app's, if it answered with one).
     */
    public static final String TRACERESPONSE = "traceresponse";

    /** The W3C limit a vendor must be able to propagate; a longer tracestate is dropped, not cut. */
    public static final int MAX_TRACESTATE = 512;
    /** The W3C Baggage limit for the whole header. */
    public static final int MAX_BAGGAGE = 8192;

    private static final Pattern TRACEPARENT_FORMAT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final String ZERO_TRACE_ID = "0".repeat(32);
    private static final String ZERO_PARENT_ID = "0".repeat(16);

    /**
     * The checked trace context of three header values (each possibly null); null when none of them is usable, so that
     * a call without trace context carries nothing.
     */
    public static TraceContext of(String traceparent, String tracestate, String baggage) {
        String parent = validTraceparent(traceparent) ? traceparent.trim() : null;
        String state = parent != null && bounded(tracestate, MAX_TRACESTATE) ? tracestate.trim() : null;
        String items = bounded(baggage, MAX_BAGGAGE) ? baggage.trim() : null;
        return parent == null && items == null ? null : new TraceContext(parent, state, items);
    }

    /**
     * The trace context of an HTTP message whose header values {@code header} lists by name (empty or null when it
     * has none). More than one {@code traceparent} makes it unusable (W3C); several {@code tracestate} or
     * {@code baggage} headers are one comma-separated list.
     */
    public static TraceContext fromHttp(Function<String, List<String>> header) {
        List<String> parents = header.apply(TRACEPARENT);
        String traceparent = parents != null && parents.size() == 1 ? parents.get(0) : null;
        return of(traceparent, joined(header.apply(TRACESTATE)), joined(header.apply(BAGGAGE)));
    }

    /**
     * This context where it has a traceparent, else {@code fallback}'s (with its tracestate); this baggage, else
     * {@code fallback}'s. Either may be null. On the reply path: what the serving app answered with, else what its
     * request carried.
     */
    public static TraceContext either(TraceContext preferred, TraceContext fallback) {
        if (preferred == null || fallback == null) {
            return preferred == null ? fallback : preferred;
        }
        boolean own = preferred.traceparent != null;
        return new TraceContext(own ? preferred.traceparent : fallback.traceparent,
                own ? preferred.tracestate : fallback.tracestate,
                preferred.baggage != null ? preferred.baggage : fallback.baggage);
    }

    /**
     * {@code later}'s context where it continues {@code request}'s trace (the same trace id, or the request had none),
     * else only its baggage. For what comes after the request on another HTTP exchange (the serving app's deferred
     * {@code PUT}): an instrumented client that sends it outside the request's context names a new trace, and
     * {@code traceresponse} must not point the caller to that one. Either may be null.
     */
    public static TraceContext continuing(TraceContext later, TraceContext request) {
        if (later == null || later.traceparent == null || request == null || request.traceparent == null
                || later.traceId().equals(request.traceId())) {
            return later;
        }
        return later.baggage == null ? null : new TraceContext(null, null, later.baggage);
    }

    /** True for a version-00 traceparent whose trace id and parent id are not all zero. */
    public static boolean validTraceparent(String value) {
        if (value == null) {
            return false;
        }
        String trimmed = value.trim();
        return TRACEPARENT_FORMAT.matcher(trimmed).matches()
                && !trimmed.substring(3, 35).equals(ZERO_TRACE_ID)
                && !trimmed.substring(36, 52).equals(ZERO_PARENT_ID);
    }

    /** The trace id of the traceparent (32 hex digits), or null. */
    public String traceId() {
        return traceparent == null ? null : traceparent.substring(3, 35);
    }

    private static boolean bounded(String value, int max) {
        if (value == null) {
            return false;
        }
        String trimmed = value.trim();
        if (trimmed.isEmpty() || trimmed.length() > max) {
            return false;
        }
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c < ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private static String joined(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(",", values);
    }
}
