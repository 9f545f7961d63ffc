package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A serving app that answers 202 and gives its reply later with {@code PUT /v1/replies/{id}} on its own sidecar;
 * here the test plays that app for the {@code deferred} operation.
 */
abstract class AbstractDeferredReplyTest {

    @Test
    void publishesTheReplyOnceAndAcceptsTheSameReplyAgain() {
        String id = deliveredToTheApp(null);

        putReply(id, "201", "{\"done\":true}").then().statusCode(204).header("Mep-Correlation-Id", id);
        putReply(id, "201", "{\"done\":true}").then().statusCode(204);

        Response result = await().until(() -> given().get("/v1/replies/" + id), r -> r.statusCode() != 202);
        result.then().statusCode(201).contentType("application/json").body(equalTo("{\"done\":true}"));
        assertThat(TopicReader.recordsWithHeader(KafkaTestResource.broker().bootstrapServers(), "test-app.replies",
                WireHeaders.CORRELATION_ID, id)).hasSize(1);
    }

    @Test
    void answers409ForADifferentSecondReply() {
        String id = deliveredToTheApp(null);
        putReply(id, "200", "first").then().statusCode(204);

        putReply(id, "200", "second").then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:reply-conflict"));
    }

    @Test
    void answers410WhenTheCallerNoLongerWaits() {
        String id = deliveredToTheApp("300ms");
        Instant deadline = Instant.parse(seenBy(id).header("Mep-Deadline"));
        await().until(() -> Instant.now().isAfter(deadline));

        putReply(id, "200", "too late").then().statusCode(410).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:reply-expired"));
    }

    @Test
    void answers413ForAReplyLargerThanKafkaAcceptsAndLetsTheAppPutASmallerOne() {
        String id = deliveredToTheApp(null);

        given().contentType("application/octet-stream").body(new byte[2 * 1024 * 1024]).put("/v1/replies/" + id)
                .then().statusCode(413).body("type", equalTo("urn:mep-sidecar:problem:payload-too-large"));

        putReply(id, "507", "{\"error\":\"result too large\"}").then().statusCode(204);
    }

    @Test
    void answers404ForARequestThatNeverCame() {
        putReply(UUID.randomUUID().toString(), "200", "hello").then().statusCode(404)
                .body("type", equalTo("urn:mep-sidecar:problem:unknown-reply"));
    }

    @Test
    void rejectsAnUnusableStatus() {
        String id = deliveredToTheApp(null);
        for (String status : new String[] {"202", "99", "ok"}) {
            putReply(id, status, "x").then().statusCode(400).body("detail", containsString("Mep-Status"));
        }
    }

    /** Starts an asynchronous call of {@code deferred} and waits until the app has it; returns its id. */
    private static String deliveredToTheApp(String timeout) {
        var request = given().header("Prefer", "respond-async").contentType("text/plain").body("work on this");
        if (timeout != null) {
            request.header("Mep-Timeout", timeout);
        }
        String id = request.post("/v1/invoke/deferred").then().statusCode(202).extract().header("Mep-Correlation-Id");
        seenBy(id);
        return id;
    }

    private static TestApp.Received seenBy(String id) {
        return await().until(() -> KafkaTestResource.app().receivedWith("Mep-Correlation-Id", id).orElse(null),
                r -> r != null);
    }

    private static Response putReply(String id, String status, String body) {
        return given().header("Mep-Status", status).contentType("application/json").body(body)
                .put("/v1/replies/" + id);
    }
}
