package io.mepsidecar.tracing;

import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.TraceContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sidecar's spans as the SDK exports them: parent, kind, name, messaging attributes, status, resource, and the
 * trace context each passes on.
 */
class SpanFactoryTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String APP_SPAN = "00f067aa0ba902b7";
    private static final TraceContext CALLER = new TraceContext("00-" + TRACE_ID + "-" + APP_SPAN + "-01",
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "userId=alice");

    private final Collected exported = new Collected();
    private SdkTracerProvider provider;
    private SpanFactory spans;

    @BeforeEach
    void provider() {
        provider = TracerProviders.withExporter(exported, Duration.ofMillis(10),
                new SidecarIdentity("frontend", "frontend-7d9c-x2", "frontend.replies"));
        spans = new SpanFactory(provider.get("test"));
    }

    @AfterEach
    void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    @Test
    void aProducerSpanIsAChildOfTheCallersAndNamedByWhatItPassesOn() {
        SidecarSpan span = spans.producer("quotes.requests", "quote", "c-1", CALLER);
        span.position(2, 42);
        span.end();

        SpanData data = onlySpan();
        assertThat(data.getName()).isEqualTo("send quotes.requests");
        assertThat(data.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(data.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(data.getParentSpanId()).isEqualTo(APP_SPAN);
        assertThat(data.getAttributes().get(SpanFactory.SYSTEM)).isEqualTo("kafka");
        assertThat(data.getAttributes().get(SpanFactory.DESTINATION)).isEqualTo("quotes.requests");
        assertThat(data.getAttributes().get(SpanFactory.OPERATION_TYPE)).isEqualTo("send");
        assertThat(data.getAttributes().get(SpanFactory.CONVERSATION_ID)).isEqualTo("c-1");
        assertThat(data.getAttributes().get(SpanFactory.MEP_OPERATION)).isEqualTo("quote");
        assertThat(data.getAttributes().get(SpanFactory.PARTITION)).isEqualTo("2");
        assertThat(data.getAttributes().get(SpanFactory.OFFSET)).isEqualTo(42L);
        assertThat(data.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        TraceContext passed = span.trace();
        assertThat(passed.traceparent()).isEqualTo("00-" + TRACE_ID + "-" + data.getSpanId() + "-01");
        assertThat(passed.tracestate()).isEqualTo(CALLER.tracestate());
        assertThat(passed.baggage()).isEqualTo(CALLER.baggage());
    }

    @Test
    void theResourceSaysWhichSidecar() {
        spans.producer("t", "op", "c-2", CALLER).end();

        var resource = onlySpan().getResource().getAttributes();
        assertThat(resource.get(TracerProviders.SERVICE_NAME_KEY)).isEqualTo("mep-sidecar");
        assertThat(resource.get(TracerProviders.SERVICE_NAMESPACE)).isEqualTo("frontend");
        assertThat(resource.get(TracerProviders.SERVICE_INSTANCE)).isEqualTo("frontend-7d9c-x2");
        assertThat(resource.get(TracerProviders.APP_NAME)).isEqualTo("frontend");
    }

    @Test
    void aConsumerSpanRecordsTheRecordAndTheAppsStatus() {
        SidecarSpan span = spans.consumer("quotes.requests", 1, 7, "quote-service", "quote", "c-3", CALLER);
        span.httpStatus(503);
        span.end();

        SpanData data = onlySpan();
        assertThat(data.getName()).isEqualTo("process quotes.requests");
        assertThat(data.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(data.getParentSpanId()).isEqualTo(APP_SPAN);
        assertThat(data.getAttributes().get(SpanFactory.OPERATION_TYPE)).isEqualTo("process");
        assertThat(data.getAttributes().get(SpanFactory.CONSUMER_GROUP)).isEqualTo("quote-service");
        assertThat(data.getAttributes().get(SpanFactory.PARTITION)).isEqualTo("1");
        assertThat(data.getAttributes().get(SpanFactory.OFFSET)).isEqualTo(7L);
        assertThat(data.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey(
                SidecarSpan.HTTP_STATUS))).isEqualTo(503L);
        assertThat(data.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    void withoutATraceparentASpanStartsANewTraceAndKeepsTheBaggage() {
        SidecarSpan span = spans.producer("t", "op", "c-4", TraceContext.of(null, null, "userId=bob"));
        span.end();

        SpanData data = onlySpan();
        assertThat(data.getParentSpanContext().isValid()).isFalse();
        assertThat(span.trace().traceparent()).isEqualTo("00-" + data.getTraceId() + "-" + data.getSpanId() + "-01");
        assertThat(span.trace().tracestate()).isNull();
        assertThat(span.trace().baggage()).isEqualTo("userId=bob");
    }

    @Test
    void aFailedPublishIsAnError() {
        SidecarSpan span = spans.producer("t", "op", "c-5", null);
        span.failed(new IllegalStateException("no broker"));
        span.end();
        span.end(); // a second end is ignored

        SpanData data = onlySpan();
        assertThat(data.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(data.getStatus().getDescription()).isEqualTo("no broker");
        assertThat(data.getEvents()).extracting(event -> event.getName()).containsExactly("exception");
    }

    @Test
    void anUntracedSpanPassesTheContextOnUnchanged() {
        SidecarSpan span = SidecarSpan.untraced(CALLER);
        span.httpStatus(500);
        span.failed("nothing");
        span.end();

        assertThat(span.isRecorded()).isFalse();
        assertThat(span.trace()).isSameAs(CALLER);
        assertThat(SidecarSpan.untraced(null).trace()).isNull();
    }

    private SpanData onlySpan() {
        provider.forceFlush().join(5, TimeUnit.SECONDS);
        assertThat(exported.spans).hasSize(1);
        return exported.spans.get(0);
    }

    /** Keeps what is exported. */
    private static final class Collected implements SpanExporter {

        final List<SpanData> spans = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
