package io.mepsidecar.tracing;

import io.mepsidecar.contract.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * One span of the sidecar's own, or none: what a publish or a served request passes on, and what it records when it
 * ends. Without tracing ({@link #untraced(TraceContext)}) every method does nothing and {@link #trace()} is the trace
 * context as it came, so that the code that uses a span need not know whether there is one.
 *
 * <p>A span ends once; {@link #end()} after the first call does nothing. Its methods may be called from any thread.
 */
public final class SidecarSpan {

    /** The semantic-convention attribute of an HTTP status, set on a span that delivered a request to the app. */
    static final String HTTP_STATUS = "http.response.status_code";

    private final Span span;
    private final TraceContext trace;

    SidecarSpan(Span span, TraceContext trace) {
        this.span = span;
        this.trace = trace;
    }

    /** No span: {@link #trace()} is {@code trace} (possibly null), the rest does nothing. */
    public static SidecarSpan untraced(TraceContext trace) {
        return new SidecarSpan(null, trace);
    }

    /**
     * The trace context to pass on from here: with a span, its {@code traceparent} names this span (tracestate and
     * baggage as they came); without one, the context as it came. Possibly null.
     */
    public TraceContext trace() {
        return trace;
    }

    /** True when this is a span that is exported (tracing on), false for {@link #untraced(TraceContext)}. */
    public boolean isRecorded() {
        return span != null;
    }

    /** Records where the record is: its partition and offset. */
    public void position(int partition, long offset) {
        if (span != null) {
            span.setAttribute(SpanFactory.PARTITION, Integer.toString(partition));
            span.setAttribute(SpanFactory.OFFSET, offset);
        }
    }

    /** Records the app's HTTP status; a 5xx is an error. */
    public void httpStatus(int status) {
        if (span != null) {
            span.setAttribute(HTTP_STATUS, status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR, "HTTP " + status);
            }
        }
    }

    /** Marks the span failed, with a short description of what went wrong. */
    public void failed(String description) {
        if (span != null) {
            span.setStatus(StatusCode.ERROR, description);
        }
    }

    /** Marks the span failed by an exception, recorded as its event. */
    public void failed(Throwable error) {
        if (span != null) {
            span.recordException(error);
            span.setAttribute("error.type", error.getClass().getName());
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        }
    }

    /** Ends the span: from then on it is exported with the next batch. */
    public void end() {
        if (span != null) {
            span.end();
        }
    }
}
