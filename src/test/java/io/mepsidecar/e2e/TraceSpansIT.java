package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.OtlpReceiver;
import io.mepsidecar.testing.OtlpReceiver.ExportedSpan;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.Traces;
import io.restassured.response.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The sidecars' own spans ({@code MEP_TRACING_OTLP_ENDPOINT}) through two sidecar processes and a real broker, each
 * exporting to its own stand-in collector: the caller sidecar's PRODUCER span is a child of the calling app's
 * {@code traceparent}, the serving sidecar's CONSUMER span a child of the caller sidecar's, and the serving app's
 * request names the serving sidecar's span as its parent. Without the setting nothing changes (TraceContextIT).
 */
class TraceSpansIT {

    private static final Path CONTRACT = Path.of("src/test/resources/trace-contract.yaml");
    private static final String TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
    private static final String BAGGAGE = "userId=alice";
    private static final Duration EXPORTED = Duration.ofSeconds(15);

    private static EmbeddedKafkaBroker broker;
    private static OtlpReceiver callerSpans;
    private static OtlpReceiver servingSpans;
    private static TestApp servingApp;
    private static TestApp callingApp;
    private static SidecarProcess service;
    private static SidecarProcess caller;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(1, "trace.echo", "trace.notify", "frontend.replies");
        callerSpans = OtlpReceiver.start();
        servingSpans = OtlpReceiver.start();
        servingApp = TestApp.start();
        callingApp = TestApp.start();
        CompletableFuture<SidecarProcess> serving = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("quote-service")
                        .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                        .appUrl(servingApp.url()).serves("echo,notify")
                        .env("MEP_TRACING_OTLP_ENDPOINT", servingSpans.endpoint())
                        .env("MEP_TRACING_EXPORT_DELAY", "200ms")
                        .start());
        CompletableFuture<SidecarProcess> calling = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("frontend")
                        .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                        .appUrl(callingApp.url())
                        .env("MEP_TRACING_OTLP_ENDPOINT", callerSpans.endpoint())
                        .env("MEP_TRACING_EXPORT_DELAY", "200ms")
                        .start());
        service = serving.exceptionally(error -> null).join(); // each kept if it started, for @AfterAll to stop
        caller = calling.exceptionally(error -> null).join();
        if (service == null || caller == null) {
            CompletableFuture.allOf(serving, calling).join(); // throws the cause
        }
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(caller, service, callingApp, servingApp, broker, callerSpans, servingSpans);
    }

    @Test
    void aRequestReplyCallIsTracedThroughBothSidecarsSpans() {
        String traceparent = Traces.traceparent();
        String traceId = traceparent.substring(3, 35);
        String appSpanId = traceparent.substring(36, 52);

        Response response = traced(traceparent).body("hello").when().post("/v1/invoke/echo");

        response.then().statusCode(200).body(equalTo("hello"));
        TestApp.Received seen = servedRequest(response);
        String served = seen.header("traceparent");
        assertThat(served).startsWith("00-" + traceId + "-").endsWith("-01");
        String servingSpanId = served.substring(36, 52);
        assertThat(servingSpanId).as("the serving app's parent is the serving sidecar's span").isNotEqualTo(appSpanId);
        assertThat(seen.header("tracestate")).isEqualTo(TRACESTATE);
        assertThat(seen.header("baggage")).isEqualTo(BAGGAGE);

        // the raw bytes: the trace id in both exports, the serving app's parent id in the serving sidecar's
        Awaitility.await("both sidecars export the trace").atMost(EXPORTED).until(() ->
                callerSpans.exported(traceId) && servingSpans.exported(traceId)
                        && servingSpans.exported(servingSpanId));

        // and decoded: app -> send (caller sidecar) -> process (serving sidecar) -> the serving app
        ExportedSpan send = onlySpan(callerSpans, traceId);
        assertThat(send.name()).isEqualTo("send trace.echo");
        assertThat(send.kind()).isEqualTo(ExportedSpan.PRODUCER);
        assertThat(send.parentSpanId()).isEqualTo(appSpanId);
        ExportedSpan process = onlySpan(servingSpans, traceId);
        assertThat(process.name()).isEqualTo("process trace.echo");
        assertThat(process.kind()).isEqualTo(ExportedSpan.CONSUMER);
        assertThat(process.parentSpanId()).isEqualTo(send.spanId());
        assertThat(process.spanId()).isEqualTo(servingSpanId);
        // the reply path is as it was: the app answered without trace context, so the request record's comes back,
        // which names the caller sidecar's span
        assertThat(response.header("traceresponse")).isEqualTo("00-" + traceId + "-" + send.spanId() + "-01");
    }

    @Test
    void aOneWayMessageIsTracedToo() {
        String traceparent = Traces.traceparent();
        String traceId = traceparent.substring(3, 35);

        Response response = traced(traceparent).body("event").when().post("/v1/invoke/notify");

        response.then().statusCode(202);
        String served = servedRequest(response).header("traceparent");
        assertThat(served).startsWith("00-" + traceId + "-");
        String servingSpanId = served.substring(36, 52);
        assertThat(servingSpanId).isNotEqualTo(traceparent.substring(36, 52));
        Awaitility.await("both sidecars export the trace").atMost(EXPORTED).until(() ->
                callerSpans.exported(traceId) && servingSpans.exported(servingSpanId));
        ExportedSpan send = onlySpan(callerSpans, traceId);
        assertThat(send.name()).isEqualTo("send trace.notify");
        ExportedSpan process = onlySpan(servingSpans, traceId);
        assertThat(process.name()).isEqualTo("process trace.notify");
        assertThat(process.parentSpanId()).isEqualTo(send.spanId());
        assertThat(process.spanId()).isEqualTo(servingSpanId);
    }

    @Test
    void aCallWithoutTraceContextStartsATraceAtTheCallerSidecar() {
        Response response = given().baseUri(caller.url()).contentType("text/plain").body("untraced")
                .when().post("/v1/invoke/echo");

        response.then().statusCode(200).body(equalTo("untraced"));
        String served = servedRequest(response).header("traceparent");
        assertThat(served).as("the serving app gets the sidecars' trace").isNotNull();
        String traceId = served.substring(3, 35);
        Awaitility.await("both sidecars export the new trace").atMost(EXPORTED).until(() ->
                callerSpans.exported(traceId) && servingSpans.exported(traceId));
        assertThat(onlySpan(callerSpans, traceId).parentSpanId()).as("a root span").isEmpty();
    }

    private static ExportedSpan onlySpan(OtlpReceiver receiver, String traceId) {
        List<ExportedSpan> spans = receiver.spans().stream().filter(span -> span.traceId().equals(traceId)).toList();
        assertThat(spans).hasSize(1);
        return spans.get(0);
    }

    private static io.restassured.specification.RequestSpecification traced(String traceparent) {
        return given().baseUri(caller.url()).contentType("text/plain")
                .header("traceparent", traceparent).header("tracestate", TRACESTATE).header("baggage", BAGGAGE);
    }

    private static TestApp.Received servedRequest(Response response) {
        return Traces.servedRequest(servingApp, response);
    }
}
