package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.FreePorts;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.ShareGroupMode;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * When the serving sidecar cannot reach its app it hands the request back instead of answering for the app: a
 * request-reply caller gets 504 at its deadline when no replica has an app (not a 502 from a replica without one), and
 * a one-way message waits on the topic until an app is there, however long that takes.
 */
abstract class AbstractAppUnreachableTest {

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    /**
     * Nothing listens here until a test starts an app on it. Kept in a system property: the profile and the test
     * class are loaded by different class loaders, so a static field would be initialised twice.
     */
    static synchronized int appPort() {
        String port = System.getProperty("test.app-down.port");
        if (port == null) {
            port = Integer.toString(FreePorts.next());
            System.setProperty("test.app-down.port", port);
        }
        return Integer.parseInt(port);
    }

    /** {@link AppDown} on share groups. */
    public static class AppDownOnShareGroups extends ShareGroupMode {
        @Override
        protected Map<String, String> overrides() {
            return new AppDown().getConfigOverrides();
        }
    }

    public static class AppDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mep.app-url", "http://127.0.0.1:" + appPort(),
                    "mep.app-name", "unreachable-app",
                    "mep.serves", "gone,gone-notify");
        }
    }

    @Test
    void aCallerGets504AtItsDeadlineAndTheRequestIsHandedBackNotAnswered502() {
        double settled = settled();

        Response response = given().header("Mep-Timeout", "3s").contentType("application/json").body("{\"x\":1}")
                .when().post("/v1/invoke/gone");

        response.then().statusCode(504).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:reply-timeout"));
        String id = response.header("Mep-Correlation-Id");
        assertThat(response.jsonPath().getString("correlationId")).isEqualTo(id).isNotBlank();
        // Handed back when the replica tried the app; left on the topic when it knew its app was away; or, not yet
        // fetched by its deadline (share consumers still joining), found expired: never answered, never dead-lettered.
        await().atMost(Duration.ofSeconds(15)).until(() -> settled() > settled || appAvailable() == 0);
        assertThat(Metrics.value(Metrics.scrape(metrics), "mep_calls_total",
                "operation=\"gone\",role=\"service\",outcome=\"undeliverable\"")).isZero();
        assertThat(TopicReader.recordsWithHeader(KafkaTestResource.broker().bootstrapServers(), "test.gone.dlq",
                WireHeaders.CORRELATION_ID, id)).as("dead letters of the request").isEmpty();
    }

    @Test
    void deliversAOneWayMessageOnceTheAppComesUp() {
        // The sidecar first sees its app, then loses it: the message arrives while the replica still takes requests
        // and finds the app away only by delivering it. It must wait for an app, not spend its deliveries.
        try (TestApp app = TestApp.start(appPort())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> appAvailable() == 1);
        }
        String body = "{\"event\":\"" + UUID.randomUUID() + "\"}";
        String id = given().contentType("application/json").body(body)
                .when().post("/v1/invoke/gone-notify")
                .then().statusCode(202).extract().header("Mep-Correlation-Id");
        await().atMost(Duration.ofSeconds(20)).until(() -> appAvailable() == 0);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> TopicReader.recordsWithHeader(
                KafkaTestResource.broker().bootstrapServers(), "test.gone-notify.dlq", WireHeaders.CORRELATION_ID, id)
                .isEmpty());

        try (TestApp app = TestApp.start(appPort())) {
            TestApp.Received seen = await().atMost(Duration.ofSeconds(30)).until(() -> app.received().stream()
                    .filter(r -> body.equals(new String(r.body()))).findFirst().orElse(null), r -> r != null);
            assertThat(seen.path()).isEqualTo("/gone-notify");
        }
    }

    /** Requests of {@code gone} the service role handed back or found expired. */
    private double settled() {
        String scrape = Metrics.scrape(metrics);
        return Metrics.value(scrape, "mep_calls_total", "operation=\"gone\",role=\"service\",outcome=\"handed_back\"")
                + Metrics.value(scrape, "mep_calls_total", "operation=\"gone\",role=\"service\",outcome=\"expired\"");
    }

    private double appAvailable() {
        return Metrics.value(Metrics.scrape(metrics), "mep_service_app_available", "");
    }
}
