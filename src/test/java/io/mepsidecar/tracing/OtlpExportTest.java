package io.mepsidecar.tracing;

import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.testing.OtlpReceiver;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The real OTLP/HTTP exporter of {@link TracerProviders#otlp} at its edges: a sidecar that stops sends the spans it
 * still holds, and a collector that is down holds up neither the spans (the calls they belong to) nor the stop.
 */
class OtlpExportTest {

    private static final SidecarIdentity IDENTITY = new SidecarIdentity("frontend", "frontend-7d9c-x2",
            "frontend.replies");
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final TraceContext CALLER = new TraceContext("00-" + TRACE_ID + "-00f067aa0ba902b7-01", null,
            null);

    @Test
    void theSpansStillHeldAreExportedWhenTheSidecarStops() {
        try (OtlpReceiver collector = OtlpReceiver.start()) {
            // a delay far longer than the test: only the stop can export the span
            SdkTracerProvider provider = TracerProviders.otlp(URI.create(collector.endpoint()), Duration.ofHours(1),
                    IDENTITY);
            try {
                SidecarSpan span = new SpanFactory(provider.get("test")).producer("quotes.requests", "quote", "c-1",
                        CALLER);
                span.end();
                assertThat(collector.exported(TRACE_ID)).as("exported before the stop").isFalse();

                assertThat(Tracing.shutDown(provider, Duration.ofSeconds(10))).as("all exported").isTrue();

                assertThat(collector.spans()).extracting(OtlpReceiver.ExportedSpan::name)
                        .containsExactly("send quotes.requests");
            } finally {
                provider.shutdown();
            }
        }
    }

    @Test
    void aCollectorThatIsDownHoldsUpNeitherTheSpansNorTheStop() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        SdkTracerProvider provider = TracerProviders.otlp(
                URI.create("http://127.0.0.1:" + closedPort + "/v1/traces"), Duration.ofMillis(20), IDENTITY);
        try {
            SpanFactory spans = new SpanFactory(provider.get("test"));

            // more spans than the queue holds, while every export fails: the surplus is dropped, no call waits
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (int i = 0; i < 3 * TracerProviders.MAX_QUEUED_SPANS; i++) {
                    SidecarSpan span = spans.producer("quotes.requests", "quote", "c-" + i, CALLER);
                    assertThat(span.trace().traceparent()).startsWith("00-" + TRACE_ID + "-");
                    span.end();
                }
            });

            // the exporter would try again with backoff for each batch held (half a minute and more): the stop does
            // not wait for it beyond its bound
            assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                    assertThat(Tracing.shutDown(provider, Duration.ofSeconds(2))).as("all exported").isFalse());
        } finally {
            provider.shutdown(); // idempotent; the exporter's retries end with the test JVM at the latest
        }
    }
}
