package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * W3C trace context through two sidecar processes and a real broker: what the calling app sends in
 * {@code traceparent}, {@code tracestate} and {@code baggage} reaches the serving app's request unchanged, and the
 * reply's trace context comes back to the calling app ({@code traceresponse} on a response, {@code traceparent} on a
 * callback).
 */
class TraceContextIT {

    private static final Path CONTRACT = Path.of("src/test/resources/trace-contract.yaml");
    private static final String TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
    private static final String BAGGAGE = "userId=alice,isProduction=false";

    private static EmbeddedKafkaBroker broker;
    private static TestApp servingApp;
    private static TestApp callingApp;
    private static SidecarProcess service;
    private static SidecarProcess caller;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(1, "trace.echo", "trace.traced", "trace.echo-later", "trace.traced-later", "trace.notify",
                "frontend.replies");
        servingApp = TestApp.start();
        callingApp = TestApp.start();
        // both sidecars start at once: the topology is up in the time of the slower one
        CompletableFuture<SidecarProcess> serving = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("quote-service")
                        .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                        .appUrl(servingApp.url()).serves("echo,traced,echo-later,traced-later,notify")
                        .start());
        CompletableFuture<SidecarProcess> calling = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("frontend")
                        .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                        .appUrl(callingApp.url())
                        .start());
        service = serving.exceptionally(error -> null).join(); // each kept if it started, for @AfterAll to stop
        caller = calling.exceptionally(error -> null).join();
        if (service == null || caller == null) {
            CompletableFuture.allOf(serving, calling).join(); // throws the cause
        }
        servingApp.sidecarUrl(service.url());
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(caller, service, callingApp, servingApp, broker);
    }

    @Test
    void theServingAppGetsTheCallersTraceContextUnchanged() {
        String traceparent = Traces.traceparent();

        Response response = traced(traceparent).body("hello").when().post("/v1/invoke/echo");

        response.then().statusCode(200).body(equalTo("hello"));
        TestApp.Received seen = servedRequest(response);
        assertThat(seen.header("traceparent")).isEqualTo(traceparent);
        assertThat(seen.header("tracestate")).isEqualTo(TRACESTATE);
        assertThat(seen.header("baggage")).isEqualTo(BAGGAGE);
    }

    @Test
    void aReplyWithoutTraceContextAnswersWithTheRequests() {
        String traceparent = Traces.traceparent();

        traced(traceparent).body("hello").when().post("/v1/invoke/echo")
                .then().statusCode(200).header("traceresponse", equalTo(traceparent));
    }

    @Test
    void theServingAppsOwnTraceContextComesBackInTraceresponse() {
        String traceparent = Traces.traceparent();

        Response response = traced(traceparent).body("hello").when().post("/v1/invoke/traced");

        response.then().statusCode(200).body(equalTo("hello"))
                .header("traceresponse", equalTo(withParent(traceparent, TestApp.APP_SPAN_ID)));
        assertThat(servedRequest(response).header("traceparent")).isEqualTo(traceparent);
    }

    @Test
    void aMalformedTraceparentIsDroppedAndTheCallStillSucceeds() {
        for (String malformed : new String[] {"00-not-a-trace-01", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01",
                Traces.traceparent().toUpperCase()}) {
            Response response = given().baseUri(caller.url()).contentType("text/plain")
                    .header("traceparent", malformed).header("tracestate", TRACESTATE).header("baggage", BAGGAGE)
                    .body("hello").when().post("/v1/invoke/echo");

            response.then().statusCode(200).body(equalTo("hello"));
            assertThat(response.header("traceresponse")).isNull();
            TestApp.Received seen = servedRequest(response);
            assertThat(seen.header("traceparent")).as(malformed).isNull();
            assertThat(seen.header("tracestate")).as("a tracestate without its traceparent").isNull();
            assertThat(seen.header("baggage")).as("baggage stands on its own").isEqualTo(BAGGAGE);
        }
    }

    @Test
    void aOneWayMessageCarriesTheTraceContext() {
        String traceparent = Traces.traceparent();

        Response response = traced(traceparent).body("event").when().post("/v1/invoke/notify");

        response.then().statusCode(202);
        TestApp.Received seen = servedRequest(response);
        assertThat(seen.path()).isEqualTo("/notify");
        assertThat(seen.header("traceparent")).isEqualTo(traceparent);
        assertThat(seen.header("tracestate")).isEqualTo(TRACESTATE);
        assertThat(seen.header("baggage")).isEqualTo(BAGGAGE);
    }

    @Test
    void anAsynchronousCallsResultAndCallbackCarryTheRepliesTraceContext() {
        String traceparent = Traces.traceparent();

        Response accepted = traced(traceparent).header("Prefer", "respond-async").header("Mep-Callback", "/done")
                .body("later").when().post("/v1/invoke/traced");

        accepted.then().statusCode(202);
        String id = accepted.header("Mep-Correlation-Id");
        String answered = withParent(traceparent, TestApp.APP_SPAN_ID);
        Awaitility.await("the result").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().baseUri(caller.url()).when().get("/v1/replies/" + id)
                        .then().statusCode(200).body(equalTo("later")).header("traceresponse", equalTo(answered)));
        TestApp.Received callback = Awaitility.await("the callback").atMost(Duration.ofSeconds(10))
                .until(() -> callingApp.receivedWith("Mep-Correlation-Id", id), Optional::isPresent).orElseThrow();
        assertThat(callback.path()).isEqualTo("/done");
        assertThat(callback.header("traceparent")).isEqualTo(answered);
        assertThat(callback.header("tracestate")).isEqualTo(TestApp.APP_TRACESTATE);
        assertThat(callback.header("baggage")).isEqualTo(BAGGAGE);
    }

    @Test
    void aDeferredReplyCarriesTheRequestsTraceContext() {
        String traceparent = Traces.traceparent();

        Response response = traced(traceparent).body("deferred").when().post("/v1/invoke/echo-later");

        response.then().statusCode(200).body(equalTo("deferred")).header("traceresponse", equalTo(traceparent));
        assertThat(servedRequest(response).header("traceparent")).isEqualTo(traceparent);
    }

    @Test
    void aDeferredReplyPutWithTraceContextCarriesTheApps() {
        String traceparent = Traces.traceparent();

        Response response = traced(traceparent).body("deferred").when().post("/v1/invoke/traced-later");

        response.then().statusCode(200).body(equalTo("deferred"))
                .header("traceresponse", equalTo(withParent(traceparent, TestApp.APP_SPAN_ID)));
        assertThat(servedRequest(response).header("traceparent")).isEqualTo(traceparent);
    }

    private static io.restassured.specification.RequestSpecification traced(String traceparent) {
        return given().baseUri(caller.url()).contentType("text/plain")
                .header("traceparent", traceparent).header("tracestate", TRACESTATE).header("baggage", BAGGAGE);
    }

    private static TestApp.Received servedRequest(Response response) {
        return Traces.servedRequest(servingApp, response);
    }

    private static String withParent(String traceparent, String parentId) {
        return traceparent.substring(0, 36) + parentId + traceparent.substring(52);
    }
}
