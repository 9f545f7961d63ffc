package io.mepsidecar.caller;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Replies put on the reply topic by something other than a well-behaved serving sidecar: one of another operation or
 * without a final HTTP status is dropped and counted, and the call still takes its own reply; a usable one with an odd
 * content type is answered as bytes. The {@code deferred} operation's app answers 202 and never replies, so the test gives
 * the reply itself.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class UnusableRepliesTest {

    private static final String INVALID = "mep_caller_replies_invalid_total";

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @ParameterizedTest
    @ValueSource(strings = {"100", "101", "199", "600", "-1", "two hundred"})
    void aReplyWithoutAFinalStatusIsDroppedAndTheCallWaitsForAUsableOne(String status) throws Exception {
        double before = invalid("deferred", "status");
        String body = "sync-" + UUID.randomUUID();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().contentType("text/plain")
                .body(body).post("/v1/invoke/deferred"));
        String correlationId = correlationIdSeenByTheApp(body);

        publishReply(correlationId, "deferred.reply", status, "text/plain", "forged");
        await().untilAsserted(() -> assertThat(invalid("deferred", "status")).isEqualTo(before + 1));
        assertThat(call).isNotDone();
        publishReply(correlationId, "deferred.reply", "200", "text/plain", "genuine");

        call.get().then().statusCode(200).body(equalTo("genuine"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo.reply", "deferred", "deferred.request", "no-such-op.reply", ""})
    void aReplyOfAnotherTypeIsDroppedAndTheCallWaitsForItsOwn(String type) throws Exception {
        String operation = type.equals("echo.reply") ? "echo" : "unknown";
        double before = invalid(operation, "type");
        String body = "typed-" + UUID.randomUUID();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().contentType("text/plain")
                .body(body).post("/v1/invoke/deferred"));
        String correlationId = correlationIdSeenByTheApp(body);

        publishReply(correlationId, type, "200", "text/plain", "forged");
        await().untilAsserted(() -> assertThat(invalid(operation, "type")).isEqualTo(before + 1));
        assertThat(call).isNotDone();
        publishReply(correlationId, "deferred.reply", "200", "text/plain", "genuine");

        call.get().then().statusCode(200).body(equalTo("genuine"));
    }

    @Test
    void aReplyWithA1xxStatusNeverBecomesTheResultOfAnAsynchronousCall() {
        String body = "async-" + UUID.randomUUID();
        String location = given().header("Prefer", "respond-async").contentType("text/plain").body(body)
                .post("/v1/invoke/deferred").then().statusCode(202).extract().header("Location");
        String correlationId = correlationIdSeenByTheApp(body);
        double before = invalid("deferred", "status");

        publishReply(correlationId, "deferred.reply", "101", "text/plain", "forged");
        await().untilAsserted(() -> assertThat(invalid("deferred", "status")).isEqualTo(before + 1));
        given().get(location).then().statusCode(202);
        publishReply(correlationId, "deferred.reply", "201", "text/plain", "genuine");

        Response result = await().until(() -> given().get(location), r -> r.statusCode() != 202);
        result.then().statusCode(201).body(equalTo("genuine"));
    }

    @Test
    void aReplyWithABodyButNoContentTypeIsAnsweredAsBytes() throws Exception {
        Response response = callAnsweredWith("200", null, "payload");

        response.then().statusCode(200).contentType("application/octet-stream").body(equalTo("payload"));
    }

    @Test
    void aReplyWithNeitherBodyNorContentTypeHasNoContentType() throws Exception {
        Response response = callAnsweredWith("200", null, "");

        response.then().statusCode(200).body(equalTo(""));
        assertThat(response.header("Content-Type")).isNull();
    }

    @Test
    void aReplyWhoseContentTypeIsNotAMediaTypeIsAnsweredAsBytes() throws Exception {
        Response response = callAnsweredWith("200", "text/plain\u0001\r\nX-Injected: 1", "payload");

        response.then().statusCode(200).contentType("application/octet-stream").body(equalTo("payload"));
        assertThat(response.header("X-Injected")).isNull();
    }

    private Response callAnsweredWith(String status, String contentType, String replyBody) throws Exception {
        String body = "content-" + UUID.randomUUID();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().contentType("text/plain")
                .body(body).post("/v1/invoke/deferred"));
        publishReply(correlationIdSeenByTheApp(body), "deferred.reply", status, contentType, replyBody);
        return call.get();
    }

    private static String correlationIdSeenByTheApp(String body) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> KafkaTestResource.app().received().stream()
                .filter(r -> body.equals(new String(r.body(), StandardCharsets.UTF_8)))
                .map(r -> r.header("Mep-Correlation-Id")).findFirst().orElse(null), id -> id != null);
    }

    private double invalid(String operation, String reason) {
        return Metrics.value(Metrics.scrape(metrics), INVALID, "operation=\"" + operation + "\",reason=\"" + reason
                + "\"");
    }

    private static void publishReply(String correlationId, String type, String status, String contentType,
            String body) {
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            ProducerRecord<String, byte[]> reply = new ProducerRecord<>("test-app.replies", correlationId,
                    body.getBytes(StandardCharsets.UTF_8));
            header(reply, WireHeaders.CORRELATION_ID, correlationId);
            if (!type.isEmpty()) {
                header(reply, WireHeaders.TYPE, type);
            }
            header(reply, WireHeaders.STATUS, status);
            header(reply, WireHeaders.REPLY_INSTANCE, "test-instance");
            if (contentType != null) {
                header(reply, WireHeaders.CONTENT_TYPE, contentType);
            }
            producer.send(reply);
        }
    }

    private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
