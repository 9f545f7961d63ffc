package io.mepsidecar.caller;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A call through the sidecar's caller role, over Kafka, to its service role and the local app, and back. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class RequestReplyTest {

    private static final String CORRELATION = "Mep-Correlation-Id";

    @Test
    void returnsTheAppsJsonReplyWithItsContentTypeAndACorrelationId() {
        String body = "{\"symbol\":\"ACME\",\"nonce\":\"" + UUID.randomUUID() + "\"}";

        Response response = given().contentType("application/json").body(body)
                .when().post("/v1/invoke/echo");

        response.then().statusCode(200).contentType("application/json");
        assertThat(response.asString()).isEqualTo(body);
        assertThat(response.header(CORRELATION)).matches("[0-9a-f-]{36}");
    }

    @Test
    void returnsABinaryBodyByteForByte() {
        byte[] body = new byte[64 * 1024];
        new Random(42).nextBytes(body);

        Response response = given().contentType("application/octet-stream").body(body)
                .when().post("/v1/invoke/echo");

        response.then().statusCode(200).contentType("application/octet-stream");
        assertThat(response.asByteArray()).isEqualTo(body);
    }

    @Test
    void passesTheAppsSuccessStatusThrough() {
        given().contentType("text/plain").body("201 created it")
                .when().post("/v1/invoke/status")
                .then().statusCode(201).contentType("text/plain").body(org.hamcrest.Matchers.equalTo("created it"));
    }

    @Test
    void deliversOperationCorrelationIdAndDeadlineToTheApp() {
        String body = "who-am-i-" + UUID.randomUUID();
        Instant before = Instant.now();

        String correlationId = given().contentType("text/plain").body(body)
                .when().post("/v1/invoke/echo")
                .then().statusCode(200).extract().header(CORRELATION);

        TestApp.Received seen = KafkaTestResource.app().receivedWith("Mep-Correlation-Id", correlationId)
                .orElseThrow();
        assertThat(seen.path()).isEqualTo("/echo");
        assertThat(seen.header("Mep-Operation")).isEqualTo("echo");
        assertThat(seen.header("Mep-Caller")).isEqualTo("/test-app/test-instance");
        assertThat(Instant.parse(seen.header("Mep-Deadline")))
                .isAfter(before.plusSeconds(9)).isBefore(Instant.now().plusSeconds(11));
        assertThat(new String(seen.body())).isEqualTo(body);
    }

    @Test
    void publishesTheRequestAndTheReplyWithTheProtocolHeaders() {
        String correlationId = given().contentType("text/plain").body("on the wire")
                .when().post("/v1/invoke/echo")
                .then().statusCode(200).extract().header(CORRELATION);
        String bootstrap = KafkaTestResource.broker().bootstrapServers();

        List<ConsumerRecord<String, byte[]>> requests = TopicReader.recordsWithHeader(bootstrap, "test.echo",
                WireHeaders.CORRELATION_ID, correlationId);
        List<ConsumerRecord<String, byte[]>> replies = TopicReader.recordsWithHeader(bootstrap, "test-app.replies",
                WireHeaders.CORRELATION_ID, correlationId);

        assertThat(requests).hasSize(1);
        ConsumerRecord<String, byte[]> request = requests.get(0);
        assertThat(request.key()).isEqualTo(correlationId);
        assertThat(new String(request.value())).isEqualTo("on the wire");
        assertThat(TopicReader.header(request, "ce_specversion")).isEqualTo("1.0");
        assertThat(TopicReader.header(request, "ce_id")).isEqualTo(correlationId);
        assertThat(TopicReader.header(request, "ce_type")).isEqualTo("echo");
        assertThat(TopicReader.header(request, "ce_source")).isEqualTo("/test-app/test-instance");
        assertThat(Instant.parse(TopicReader.header(request, "ce_time"))).isBefore(Instant.now());
        assertThat(TopicReader.header(request, "content-type")).startsWith("text/plain");
        assertThat(TopicReader.header(request, "ce_replyto")).isEqualTo("test-app.replies");
        assertThat(TopicReader.header(request, "ce_replyinstance")).isEqualTo("test-instance");
        assertThat(Instant.parse(TopicReader.header(request, "ce_deadline"))).isAfter(Instant.now());

        assertThat(replies).hasSize(1);
        ConsumerRecord<String, byte[]> reply = replies.get(0);
        assertThat(reply.key()).isEqualTo(correlationId);
        assertThat(new String(reply.value())).isEqualTo("on the wire");
        assertThat(TopicReader.header(reply, "ce_type")).isEqualTo("echo.reply");
        assertThat(TopicReader.header(reply, "ce_status")).isEqualTo("200");
        assertThat(TopicReader.header(reply, "ce_replyinstance")).isEqualTo("test-instance");
        assertThat(TopicReader.header(reply, "ce_id")).isNotEqualTo(correlationId);
    }

    @Test
    void fiftyConcurrentCallsEachGetTheirOwnReply() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(50);
        Set<String> correlationIds = ConcurrentHashMap.newKeySet();
        try {
            List<Future<Boolean>> calls = IntStream.range(0, 50).mapToObj(i -> callers.submit(() -> {
                String body = "call-" + i + "-" + UUID.randomUUID();
                Response response = given().contentType("text/plain").body(body).post("/v1/invoke/echo");
                correlationIds.add(response.header(CORRELATION));
                return response.statusCode() == 200 && response.asString().equals(body);
            })).collect(Collectors.toList());
            await().until(() -> calls.stream().allMatch(Future::isDone));
            assertThat(calls.stream().map(RequestReplyTest::get).collect(Collectors.toList()))
                    .hasSize(50).containsOnly(true);
            assertThat(correlationIds).hasSize(50);
        } finally {
            callers.shutdownNow();
        }
    }

    private static boolean get(Future<Boolean> call) {
        try {
            return call.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
