package io.mepsidecar.state;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * Requests executed once: a request delivered again is answered from the state topic without calling the app, and an
 * {@code Idempotency-Key} makes a retry join the first call. Asynchronous calls are kept in the state topic.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class ExactlyOnceTest {

    private static final String STATE_TOPIC = "test-app.state";

    @AfterEach
    void releaseHeldRequests() {
        KafkaTestResource.app().releaseSlow();
    }

    @Test
    void aRequestDeliveredAgainIsAnsweredWithTheSameReplyWithoutCallingTheApp() throws Exception {
        String id = UUID.randomUUID().toString();
        String body = "once-" + id;
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            producer.send(request(id, body)).get();
            await().until(() -> replies(id).size() == 1);
            producer.send(request(id, body)).get(); // the same request again, as after a crash before the commit
        }

        await().until(() -> replies(id).size() == 2);
        List<ConsumerRecord<String, byte[]>> replies = replies(id);
        assertThat(replies).allSatisfy(reply -> {
            assertThat(new String(reply.value(), StandardCharsets.UTF_8)).isEqualTo(body);
            assertThat(TopicReader.header(reply, WireHeaders.STATUS)).isEqualTo("200");
        });
        assertThat(executions(id)).isEqualTo(1);
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyJoinsTheFirstCall() {
        String key = UUID.randomUUID().toString();
        String body = "keyed-" + key;

        Response first = keyed(key, body, "echo");
        Response retry = keyed(key, body, "echo");

        first.then().statusCode(200);
        retry.then().statusCode(200).header("Mep-Correlation-Id", first.header("Mep-Correlation-Id"));
        assertThat(retry.asString()).isEqualTo(body);
        assertThat(executions(first.header("Mep-Correlation-Id"))).isEqualTo(1);
    }

    @Test
    void aRetryWhileTheFirstCallIsInFlightGetsItsResult() throws Exception {
        String key = UUID.randomUUID().toString();
        String body = "in-flight-" + key;
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> keyed(key, body, "hold"));
        await().until(() -> KafkaTestResource.app().slowNow() >= 1);
        CompletableFuture<Response> retry = CompletableFuture.supplyAsync(() -> keyed(key, body, "hold"));
        await().pollDelay(java.time.Duration.ofMillis(200)).until(() -> !retry.isDone());

        KafkaTestResource.app().releaseSlow();

        String id = first.get().header("Mep-Correlation-Id");
        first.get().then().statusCode(200);
        retry.get().then().statusCode(200).header("Mep-Correlation-Id", id);
        assertThat(retry.get().asString()).isEqualTo(body);
        assertThat(executions(id)).isEqualTo(1);
    }

    @Test
    void theSameKeyForAnotherRequestIsA422Problem() {
        String key = UUID.randomUUID().toString();
        keyed(key, "one body", "echo").then().statusCode(200);

        Response reused = keyed(key, "another body", "echo");

        reused.then().statusCode(422).contentType("application/problem+json")
                .body(containsString("urn:mep-sidecar:problem:idempotency-key-reused"));
        given().header("Idempotency-Key", "k".repeat(256)).contentType("text/plain").body("x").post("/v1/invoke/echo")
                .then().statusCode(400);
    }

    @Test
    void anAsyncCallIsKeptInTheStateTopicAcceptedThenWithItsResult() {
        String body = "kept-" + UUID.randomUUID();
        Response accepted = given().header("Prefer", "respond-async").contentType("text/plain").body(body)
                .post("/v1/invoke/echo");
        accepted.then().statusCode(202);
        String id = accepted.header("Mep-Correlation-Id");

        await().until(() -> given().get("/v1/replies/" + id).statusCode() == 200);
        await().until(() -> TopicReader.recordsWithKey(KafkaTestResource.broker().bootstrapServers(), STATE_TOPIC,
                "call/" + id).size() == 2);
        List<ConsumerRecord<String, byte[]>> kept = TopicReader.recordsWithKey(
                KafkaTestResource.broker().bootstrapServers(), STATE_TOPIC, "call/" + id);
        assertThat(TopicReader.header(kept.get(0), "mep-state")).isEqualTo("accepted");
        assertThat(TopicReader.header(kept.get(1), "mep-state")).isEqualTo("result");
        assertThat(new String(kept.get(1).value(), StandardCharsets.UTF_8)).isEqualTo(body);

        given().delete("/v1/replies/" + id).then().statusCode(204);
        await().until(() -> TopicReader.recordsWithKey(KafkaTestResource.broker().bootstrapServers(), STATE_TOPIC,
                "call/" + id).stream().anyMatch(record -> record.value() == null)); // a tombstone
        given().get("/v1/replies/" + id).then().statusCode(404);
    }

    private static Response keyed(String key, String body, String operation) {
        return given().header("Idempotency-Key", key).contentType("text/plain").body(body)
                .post("/v1/invoke/" + operation);
    }

    private static ProducerRecord<String, byte[]> request(String id, String body) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("test.echo", id,
                body.getBytes(StandardCharsets.UTF_8));
        record.headers().add(WireHeaders.CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8));
        record.headers().add(WireHeaders.REPLY_TO, "test-app.replies".getBytes(StandardCharsets.UTF_8));
        record.headers().add(WireHeaders.DEADLINE, Instant.now().plusSeconds(30).toString()
                .getBytes(StandardCharsets.UTF_8));
        record.headers().add(WireHeaders.CONTENT_TYPE, "text/plain".getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private static List<ConsumerRecord<String, byte[]>> replies(String id) {
        return TopicReader.recordsWithHeader(KafkaTestResource.broker().bootstrapServers(), "test-app.replies",
                WireHeaders.CORRELATION_ID, id);
    }

    private static long executions(String id) {
        return KafkaTestResource.app().received().stream()
                .filter(r -> id.equals(r.header("Mep-Correlation-Id"))).count();
    }
}
