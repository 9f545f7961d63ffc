package io.mepsidecar.service;

import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.ShareGroupMode;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * What the sidecar keeps in memory is bounded in count and in bytes, and a full store refuses new work with a 429
 * problem rather than dropping what it promised: here at most 3 deferred replies and 3,000 bytes of kept results.
 */
abstract class AbstractBoundsTest {

    /** {@link SmallBounds} on share groups. */
    public static class SmallBoundsOnShareGroups extends ShareGroupMode {
        @Override
        protected Map<String, String> overrides() {
            return new SmallBounds().getConfigOverrides();
        }
    }

    public static class SmallBounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mep.service.max-deferred-replies", "3", "mep.caller.max-results-bytes", "3000");
        }
    }

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void aRequestBeyondTheDeferredRepliesKeptIsAnswered429() {
        for (int i = 0; i < 3; i++) {
            // the app answers 202 and never PUTs: each keeps a deferred reply until its deadline plus the retention
            given().header("Mep-Timeout", "1s").contentType("text/plain").body("deferred-" + i)
                    .post("/v1/invoke/deferred").then().statusCode(504);
        }
        // the serving side keeps each when it delivers the request, which may come after the caller's 504
        await().untilAsserted(() -> assertThat(Metrics.value(Metrics.scrape(metrics),
                "mep_service_deferred_replies_kept", "")).isEqualTo(3));

        given().contentType("text/plain").body("one too many").post("/v1/invoke/deferred")
                .then().statusCode(429).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:too-many-calls"))
                .body("detail", containsString("mep.service.max-deferred-replies"));
    }

    @Test
    void anAnswerLargerThanTheProducerPublishesIsCutOffA502AndADeadLetter() {
        String mark = "endless-" + UUID.randomUUID();
        Response response = given().contentType(TestApp.ENDLESS + "; mark=" + mark)
                .body(mark.getBytes(StandardCharsets.UTF_8))
                .post("/v1/invoke/echo");

        response.then().statusCode(502).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:bad-reply"));
        ConsumerRecord<String, byte[]> letter = await().until(() -> TopicReader.recordsWithValue(
                KafkaTestResource.broker().bootstrapServers(), "test.echo.dlq",
                mark.getBytes(StandardCharsets.UTF_8)), found -> !found.isEmpty()).get(0);
        assertThat(TopicReader.header(letter, "dead-letter-reason")).isEqualTo("reply-too-large");
        // the sidecar read about a MiB of the answer, then hung up: the app could not write all 512 MiB
        await().untilAsserted(() -> assertThat(KafkaTestResource.app().endlessWritten()).isNotEmpty()
                .allSatisfy(written -> assertThat(written).isLessThan(64L * 1024 * 1024)));
    }

    @Test
    void anAsynchronousCallBeyondTheBytesOfResultsKeptIsRefused429() {
        String body = "x".repeat(1_200);
        for (int i = 0; i < 2; i++) {
            String location = given().header("Prefer", "respond-async").contentType("text/plain").body(body)
                    .post("/v1/invoke/echo").then().statusCode(202).extract().header("Location");
            await().until(() -> given().get(location).statusCode() == 200);
        }

        given().header("Prefer", "respond-async").contentType("text/plain").body(body).post("/v1/invoke/echo")
                .then().statusCode(429).contentType("application/problem+json")
                .body("detail", containsString("mep.caller.max-results-bytes"));
        // both results are kept, the second although it passed the bound: it was accepted while there was room
        assertThat(Metrics.value(Metrics.scrape(metrics), "mep_caller_results_kept_bytes", ""))
                .isGreaterThan(2 * 1_200);
        given().contentType("text/plain").body("synchronous calls keep no result").post("/v1/invoke/echo")
                .then().statusCode(200);
    }
}
