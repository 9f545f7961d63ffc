package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.http.TestHTTPResource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Requests that are broken or hostile never stop the service role and never reach the app: each goes to its
 * operation's dead-letter topic ({@code test.echo.dlq}) with its key, value and headers, plus headers naming the
 * reason and where it came from; the partition keeps flowing and no gauge is left up.
 */
abstract class AbstractPoisonRequestTest extends ServiceRoleTest {

    private static final String MARK = "test-mark";

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void deadLettersBrokenRequestsWithTheirReasonAndKeepsServing() throws Exception {
        String deadline = Instant.now().plusSeconds(30).toString();
        double before = deadLettered();
        List<Sent> sent = new ArrayList<>();
        sent.add(send(Map.of(), "undecodable"));
        sent.add(send(Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(),
                WireHeaders.REPLY_TO, "test-app.replies", WireHeaders.DEADLINE, "tomorrow"), "undecodable"));
        sent.add(send(Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(), WireHeaders.DEADLINE,
                deadline), "reply-topic-not-allowed"));

        given().contentType("text/plain").body("after the poison").post("/v1/invoke/echo")
                .then().statusCode(200).body(equalTo("after the poison"));
        for (Sent request : sent) {
            ConsumerRecord<String, byte[]> letter = awaitDeadLetter(request.mark());
            assertThat(TopicReader.header(letter, "dead-letter-reason")).isEqualTo(request.reason());
            assertThat(TopicReader.header(letter, "dead-letter-cause")).isNotBlank();
            assertThat(TopicReader.header(letter, "dead-letter-topic")).isEqualTo("test.echo");
            assertThat(TopicReader.header(letter, "dead-letter-partition"))
                    .isEqualTo(Integer.toString(request.metadata().partition()));
            assertThat(TopicReader.header(letter, "dead-letter-offset"))
                    .isEqualTo(Long.toString(request.metadata().offset()));
            assertThat(TopicReader.header(letter, "dead-letter-source")).isEqualTo("/test-app/test-instance");
            assertThat(letter.key()).isEqualTo(request.key());
            assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("poison " + request.mark());
            awaitCommittedPast(request.metadata());
        }
        await().untilAsserted(() -> assertThat(deadLettered()).isEqualTo(before + sent.size()));
    }

    @Test
    void deadLettersHeadersThatCannotReachTheAppWithoutLeakingTheInFlightGauge() throws Exception {
        String deadline = Instant.now().plusSeconds(30).toString();
        List<Map<String, String>> unsafe = List.of(
                Map.of(WireHeaders.CORRELATION_ID, "r1\u0001", WireHeaders.REPLY_TO, "test-app.replies",
                        WireHeaders.DEADLINE, deadline),
                Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID() + "\r\nX: 1", WireHeaders.REPLY_TO,
                        "test-app.replies", WireHeaders.DEADLINE, deadline),
                Map.of(WireHeaders.CORRELATION_ID, "\u00e9t\u00e9-" + UUID.randomUUID(), WireHeaders.REPLY_TO,
                        "test-app.replies", WireHeaders.DEADLINE, deadline),
                Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(), WireHeaders.REPLY_TO,
                        "test-app.replies", WireHeaders.DEADLINE, deadline,
                        WireHeaders.CONTENT_TYPE, "text/plain\u0001"),
                Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(), WireHeaders.REPLY_TO,
                        "test-app.replies", WireHeaders.DEADLINE, deadline,
                        WireHeaders.SOURCE, "/front/\r\nX-Injected: 1"));
        List<Sent> sent = new ArrayList<>();
        for (Map<String, String> headers : unsafe) {
            sent.add(send(headers, "undecodable"));
        }

        given().contentType("text/plain").body("after the unsafe headers").post("/v1/invoke/echo")
                .then().statusCode(200).body(equalTo("after the unsafe headers"));
        for (Sent request : sent) {
            assertThat(TopicReader.header(awaitDeadLetter(request.mark()), "dead-letter-reason"))
                    .isEqualTo("undecodable");
            awaitCommittedPast(request.metadata());
            assertThat(KafkaTestResource.app().received()).noneMatch(r -> new String(r.body(),
                    StandardCharsets.UTF_8).equals("poison " + request.mark()));
        }
        await().untilAsserted(() -> assertThat(Metrics.value(Metrics.scrape(metrics), "mep_calls_in_flight",
                "operation=\"echo\",role=\"service\"")).isZero());
    }

    @Test
    void aReplyTopicOutsideTheAllowListIsNeverPublishedTo() throws Exception {
        String deadline = Instant.now().plusSeconds(30).toString();
        String forgedTopic = "attacker-" + UUID.randomUUID();
        String intoRequests = UUID.randomUUID().toString();
        Sent forged = send(Map.of(WireHeaders.CORRELATION_ID, UUID.randomUUID().toString(), WireHeaders.REPLY_TO,
                forgedTopic, WireHeaders.DEADLINE, deadline), "reply-topic-not-allowed");
        Sent requestTopic = send(Map.of(WireHeaders.CORRELATION_ID, intoRequests, WireHeaders.REPLY_TO,
                "test.status", WireHeaders.DEADLINE, deadline), "reply-topic-not-allowed");

        for (Sent request : List.of(forged, requestTopic)) {
            ConsumerRecord<String, byte[]> letter = awaitDeadLetter(request.mark());
            assertThat(TopicReader.header(letter, "dead-letter-reason")).isEqualTo("reply-topic-not-allowed");
            awaitCommittedPast(request.metadata());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaTestResource.broker().bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).doesNotContain(forgedTopic);
        }
        assertThat(TopicReader.recordsWithHeader(KafkaTestResource.broker().bootstrapServers(), "test.status",
                WireHeaders.CORRELATION_ID, intoRequests)).isEmpty(); // no reply written into a request topic
        assertThat(KafkaTestResource.app().received()).noneMatch(r -> new String(r.body(),
                StandardCharsets.UTF_8).equals("poison " + forged.mark()));
    }

    @Test
    void aDeadlineBeyondTheContractTimeoutIsClampedToIt() throws Exception {
        String id = UUID.randomUUID().toString();
        send(Map.of(WireHeaders.CORRELATION_ID, id, WireHeaders.REPLY_TO, "test-app.replies",
                WireHeaders.DEADLINE, "+300000000-01-01T00:00:00Z"), "none");
        Instant sent = Instant.now();

        TestApp.Received seen = await().until(() -> KafkaTestResource.app()
                .receivedWith("Mep-Correlation-Id", id).orElse(null), received -> received != null);
        assertThat(Instant.parse(seen.header("Mep-Deadline"))).isBefore(Instant.now().plusSeconds(10))
                .isAfter(sent);
    }

    private record Sent(String mark, String key, String reason, RecordMetadata metadata) {
    }

    private static Sent send(Map<String, String> headers, String reason) throws Exception {
        String mark = UUID.randomUUID().toString();
        String key = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("test.echo", key,
                ("poison " + mark).getBytes(StandardCharsets.UTF_8));
        headers.forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        record.headers().add(MARK, mark.getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            return new Sent(mark, key, reason, producer.send(record).get());
        }
    }

    private static ConsumerRecord<String, byte[]> awaitDeadLetter(String mark) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            List<ConsumerRecord<String, byte[]>> found = TopicReader.recordsWithHeader(
                    KafkaTestResource.broker().bootstrapServers(), "test.echo.dlq", MARK, mark);
            return found.isEmpty() ? null : found.get(0);
        }, letter -> letter != null);
    }

    /** The group is past the record: committed (consumer groups) or acknowledged (share groups). */
    private void awaitCommittedPast(RecordMetadata record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        await().until(() -> KafkaTestResource.groupPosition("test-app", partition, shareGroup()) > record.offset());
    }

    private double deadLettered() {
        return Metrics.value(Metrics.scrape(metrics), "mep_calls_total",
                "operation=\"echo\",role=\"service\",outcome=\"dead_lettered\"");
    }
}
