package io.mepsidecar.caller;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** The caller role's bounds: calls in flight, and how long results are kept. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(CallerLimitsTest.SmallLimits.class)
class CallerLimitsTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mep.caller.max-in-flight", "3", "mep.caller.result-ttl", "1s");
        }
    }

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @AfterEach
    void releaseHeldRequests() {
        KafkaTestResource.app().releaseSlow();
    }

    @Test
    void rejectsACallBeyondTheInFlightLimitWith429AndPublishesNothing() {
        for (int i = 0; i < 3; i++) {
            given().header("Prefer", "respond-async").contentType("text/plain").body("held-" + i)
                    .post("/v1/invoke/hold").then().statusCode(202);
        }

        Response rejected = given().contentType("text/plain").body("one too many").post("/v1/invoke/echo");

        rejected.then().statusCode(429).header("Retry-After", "1").contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:too-many-calls"));
        String correlationId = rejected.header("Mep-Correlation-Id");
        assertThat(rejected.jsonPath().getString("correlationId")).isEqualTo(correlationId);
        assertThat(TopicReader.recordsWithHeader(KafkaTestResource.broker().bootstrapServers(), "test.echo",
                WireHeaders.CORRELATION_ID, correlationId)).isEmpty();

        KafkaTestResource.app().releaseSlow();
        await().until(() -> given().contentType("text/plain").body("room again").post("/v1/invoke/echo")
                .statusCode() == 200);
    }

    @Test
    void aOneWayCallCountsTowardTheSameBound() {
        for (int i = 0; i < 3; i++) {
            given().header("Prefer", "respond-async").contentType("text/plain").body("held-" + i)
                    .post("/v1/invoke/hold").then().statusCode(202);
        }

        Response rejected = given().contentType("text/plain").body("one-way too many").post("/v1/invoke/notify");

        rejected.then().statusCode(429).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:too-many-calls"));
        assertThat(TopicReader.recordsWithHeader(KafkaTestResource.broker().bootstrapServers(), "test.notify",
                WireHeaders.CORRELATION_ID, rejected.header("Mep-Correlation-Id"))).isEmpty();

        KafkaTestResource.app().releaseSlow();
        await().until(() -> given().contentType("text/plain").body("room again").post("/v1/invoke/notify")
                .statusCode() == 202);
        await().untilAsserted(() -> {
            String scrape = Metrics.scrape(metrics);
            // counted while it waited for the broker (the gauge exists), and no longer
            assertThat(scrape).containsPattern("mep_calls_in_flight\\{[^}]*operation=\"notify\",role=\"caller\"");
            assertThat(Metrics.value(scrape, "mep_calls_in_flight", "role=\"caller\",operation=\"notify\""))
                    .isZero();
        });
    }

    @Test
    void forgetsAResultOnceItsTimeToLiveHasPassed() {
        String location = given().header("Prefer", "respond-async").contentType("text/plain").body("short-lived")
                .post("/v1/invoke/echo").then().statusCode(202).extract().header("Location");
        await().until(() -> given().get(location).statusCode() == 200);

        await().until(() -> given().get(location).statusCode() == 404);
    }
}
