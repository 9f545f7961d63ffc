package io.mepsidecar.caller;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.TestApp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** What a caller sees when something goes wrong: the app's own faults, and the sidecar's problem responses. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class CallFaultsTest {

    private static final String UNMATCHED = "mep_caller_replies_unmatched_total";

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @AfterEach
    void releaseHeldRequests() {
        KafkaTestResource.app().releaseSlow();
    }

    @Test
    void passesTheAppsClientErrorThroughWithItsBody() {
        given().contentType("text/plain").body("418 no coffee here")
                .when().post("/v1/invoke/status")
                .then().statusCode(418).contentType("text/plain").body(equalTo("no coffee here"))
                .header("Mep-Correlation-Id", startsWith(""));
    }

    @Test
    void passesTheAppsServerErrorThroughWithItsBody() {
        given().contentType("text/plain").body("503 database is down")
                .when().post("/v1/invoke/status")
                .then().statusCode(503).contentType("text/plain").body(equalTo("database is down"));
    }

    @Test
    void returns404ProblemForAnOperationNotInTheContract() {
        Response response = given().contentType("application/json").body("{}")
                .when().post("/v1/invoke/no-such-operation");

        response.then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:unknown-operation"))
                .body("status", equalTo(404))
                .body("detail", equalTo("operation 'no-such-operation' is not in the contract"));
        assertThat(response.jsonPath().getString("correlationId")).isEqualTo(response.header("Mep-Correlation-Id"))
                .isNotBlank();
    }

    @Test
    void returns413ProblemForABodyLargerThanKafkaAccepts() {
        Response response = given().contentType("application/octet-stream").body(new byte[2 * 1024 * 1024])
                .when().post("/v1/invoke/echo");

        response.then().statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:payload-too-large"));
        assertThat(response.jsonPath().getString("correlationId")).isEqualTo(response.header("Mep-Correlation-Id"));
    }

    @Test
    void returns502WhenTheServingAppBreaksOffAndNamesNoInternals() {
        Response response = given().contentType(TestApp.BROKEN)
                .body("half an answer".getBytes(StandardCharsets.UTF_8))
                .when().post("/v1/invoke/echo");

        response.then().statusCode(502).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:app-unreachable"))
                .body("detail", equalTo("the serving app broke off the exchange"));
        assertThat(response.asString()).doesNotContain("127.0.0.1", "http:", "localhost", "Exception", "/echo");
    }

    @Test
    void returns504ProblemWhenNoReplyArrivesBeforeTheDeadline() {
        Response response = given().contentType("text/plain").body("anyone there?")
                .when().post("/v1/invoke/unserved");

        response.then().statusCode(504).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:reply-timeout"))
                .body("detail", equalTo("no reply to operation 'unserved' within 500 ms"));
        assertThat(response.jsonPath().getString("correlationId")).isEqualTo(response.header("Mep-Correlation-Id"))
                .isNotBlank();
    }

    @Test
    void returns504WhenTheServingAppIsTooSlow() {
        Response response = given().contentType("text/plain").body("take your time")
                .when().post("/v1/invoke/slow");

        response.then().statusCode(504).contentType("application/problem+json")
                .body("status", equalTo(504));
        assertThat(response.jsonPath().getString("correlationId")).isEqualTo(response.header("Mep-Correlation-Id"));
    }

    @Test
    void countsAndDropsAReplyThatComesAfterTheCallTimedOut() {
        double before = unmatched("unserved");
        String correlationId = given().contentType("text/plain").body("late")
                .when().post("/v1/invoke/unserved")
                .then().statusCode(504).extract().header("Mep-Correlation-Id");

        publishReply(correlationId, "unserved.reply");

        await().untilAsserted(() -> assertThat(unmatched("unserved")).isEqualTo(before + 1));
    }

    @Test
    void countsAReplyThatNoCallEverWaitedFor() {
        double before = unmatched("echo");

        publishReply(UUID.randomUUID().toString(), "echo.reply");

        await().untilAsserted(() -> assertThat(unmatched("echo")).isEqualTo(before + 1));
        given().contentType("text/plain").body("still serving").post("/v1/invoke/echo")
                .then().statusCode(200).body(equalTo("still serving"));
    }

    private double unmatched(String operation) {
        return Metrics.scrape(metrics, UNMATCHED, operation);
    }

    private static void publishReply(String correlationId, String type) {
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            ProducerRecord<String, byte[]> reply = new ProducerRecord<>("test-app.replies", correlationId,
                    "too late".getBytes(StandardCharsets.UTF_8));
            reply.headers().add(WireHeaders.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8));
            reply.headers().add(WireHeaders.TYPE, type.getBytes(StandardCharsets.UTF_8));
            reply.headers().add(WireHeaders.STATUS, "200".getBytes(StandardCharsets.UTF_8));
            reply.headers().add(WireHeaders.REPLY_INSTANCE, "test-instance".getBytes(StandardCharsets.UTF_8));
            producer.send(reply);
        }
    }
}
