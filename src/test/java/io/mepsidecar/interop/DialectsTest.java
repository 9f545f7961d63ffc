package io.mepsidecar.interop;

import io.mepsidecar.contract.Dialect;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The header dialects on the wire, with plain Kafka clients standing in for a Spring or SmallRye peer: what a calling
 * sidecar publishes for an operation of each dialect, the library-style reply it accepts, and how a serving sidecar
 * answers a request in each dialect (the interop ITs run the libraries themselves).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DialectsTest {

    private static final String LIBRARY_REPLIES = "library.replies";

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"SPRING", "SMALLRYE"})
    void aCallOfAnOperationInADialectPublishesItsHeadersAndTakesALibraryStyleReply(Dialect dialect) throws Exception {
        String operation = dialect.wireName() + "-echo";
        String body = "{\"id\":\"" + UUID.randomUUID() + "\"}";

        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().contentType("application/json")
                .body(body).post("/v1/invoke/" + operation));
        ConsumerRecord<String, byte[]> request = await().atMost(Duration.ofSeconds(10)).until(() -> TopicReader
                .recordsWithValue(bootstrap(), "test." + operation, body.getBytes(StandardCharsets.UTF_8)),
                found -> !found.isEmpty()).get(0);

        assertThat(text(request, dialect.replyTopicHeader())).isEqualTo("test-app.replies");
        byte[] partition = request.headers().lastHeader(dialect.replyPartitionHeader()).value();
        assertThat(partition).as("the reply partition, a 4-byte int as the libraries write it").hasSize(4);
        for (String cloudEventsOnly : List.of(WireHeaders.CORRELATION_ID, WireHeaders.REPLY_TO,
                WireHeaders.REPLY_PARTITION)) {
            assertThat(request.headers().lastHeader(cloudEventsOnly)).as(cloudEventsOnly).isNull();
        }
        assertThat(text(request, WireHeaders.TYPE)).isEqualTo(operation);
        byte[] correlation = request.headers().lastHeader(dialect.correlationHeader()).value();

        // a library's reply: the correlation header echoed, to the partition asked for, and nothing else
        ProducerRecord<String, byte[]> reply = new ProducerRecord<>("test-app.replies",
                ByteBuffer.wrap(partition).getInt(), null, "{\"answer\":42}".getBytes(StandardCharsets.UTF_8));
        reply.headers().add(dialect.correlationHeader(), correlation);
        send(reply);

        Response response = call.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().asString()).isEqualTo("{\"answer\":42}");
        assertThat(response.header("Mep-Correlation-Id")).isEqualTo(new String(correlation, StandardCharsets.UTF_8));
    }

    @Test
    void aLibraryStyleReplyForAnOperationOfAnotherDialectIsNotTaken() throws Exception {
        String body = "{\"id\":\"" + UUID.randomUUID() + "\"}";

        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().contentType("application/json")
                .body(body).post("/v1/invoke/smallrye-echo"));
        ConsumerRecord<String, byte[]> request = await().atMost(Duration.ofSeconds(10)).until(() -> TopicReader
                .recordsWithValue(bootstrap(), "test.smallrye-echo", body.getBytes(StandardCharsets.UTF_8)),
                found -> !found.isEmpty()).get(0);
        int partition = ByteBuffer.wrap(request.headers().lastHeader("REPLY_PARTITION").value()).getInt();
        byte[] correlation = request.headers().lastHeader("REPLY_CORRELATION_ID").value();
        // first a Spring-style reply, then the SmallRye one, in this order on the same partition
        for (Dialect dialect : List.of(Dialect.SPRING, Dialect.SMALLRYE)) {
            ProducerRecord<String, byte[]> reply = new ProducerRecord<>("test-app.replies", partition, null,
                    dialect.wireName().getBytes(StandardCharsets.UTF_8));
            reply.headers().add(dialect.correlationHeader(), correlation);
            send(reply);
        }

        Response response = call.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().asString()).as("the reply in the operation's dialect, not the one before it")
                .isEqualTo("smallrye");
    }

    @Test
    void aDeferredReplyToASpringRequestGoesBackInItsDialectWithItsBinaryId() throws Exception {
        UUID uuid = UUID.randomUUID();
        byte[] correlation = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
        ProducerRecord<String, byte[]> request = new ProducerRecord<>("test.deferred",
                ("later " + uuid).getBytes(StandardCharsets.UTF_8));
        request.headers().add(Dialect.SPRING.correlationHeader(), correlation);
        request.headers().add(Dialect.SPRING.replyTopicHeader(), LIBRARY_REPLIES.getBytes(StandardCharsets.UTF_8));
        request.headers().add(Dialect.SPRING.replyPartitionHeader(), ByteBuffer.allocate(4).putInt(0).array());
        send(request);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> KafkaTestResource.app().receivedWith("Mep-Correlation-Id", uuid.toString()).isPresent());

        byte[] answer = ("answered later " + uuid).getBytes(StandardCharsets.UTF_8);
        given().contentType("text/plain").body(answer).put("/v1/replies/" + uuid).then().statusCode(204);

        ConsumerRecord<String, byte[]> reply = await().atMost(Duration.ofSeconds(15)).until(() -> TopicReader
                .recordsWithValue(bootstrap(), LIBRARY_REPLIES, answer), found -> !found.isEmpty()).get(0);
        assertThat(reply.headers().lastHeader(Dialect.SPRING.correlationHeader()).value()).isEqualTo(correlation);
        assertThat(reply.partition()).isZero();
        assertThat(text(reply, WireHeaders.STATUS)).isEqualTo("200");
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"SPRING", "SMALLRYE"})
    void aServingSidecarAnswersARequestInItsDialectWithTheSameCorrelationBytes(Dialect dialect) throws Exception {
        UUID uuid = UUID.randomUUID();
        // Spring's ReplyingKafkaTemplate sends the 16 bytes of a UUID; SmallRye the UUID's text
        byte[] correlation = dialect == Dialect.SPRING
                ? ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                        .putLong(uuid.getLeastSignificantBits()).array()
                : uuid.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = ("{\"from\":\"" + dialect.wireName() + "\",\"id\":\"" + uuid + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ProducerRecord<String, byte[]> request = new ProducerRecord<>("test.echo", body);
        request.headers().add(dialect.correlationHeader(), correlation);
        request.headers().add(dialect.replyTopicHeader(), LIBRARY_REPLIES.getBytes(StandardCharsets.UTF_8));
        request.headers().add(dialect.replyPartitionHeader(), ByteBuffer.allocate(4).putInt(1).array());
        send(request);

        ConsumerRecord<String, byte[]> reply = await().atMost(Duration.ofSeconds(15)).until(() -> TopicReader
                .recordsWithValue(bootstrap(), LIBRARY_REPLIES, body), found -> !found.isEmpty()).get(0);
        assertThat(reply.headers().lastHeader(dialect.correlationHeader()).value()).isEqualTo(correlation);
        assertThat(reply.partition()).isEqualTo(1);
        assertThat(text(reply, WireHeaders.STATUS)).isEqualTo("200");
        assertThat(text(reply, WireHeaders.TYPE)).isEqualTo("echo.reply");
        assertThat(reply.headers().lastHeader(WireHeaders.CORRELATION_ID)).isNull();
        assertThat(reply.headers().lastHeader(dialect.replyTopicHeader()))
                .as("a reply that names a reply topic is a request to SmallRye").isNull();
        TestApp.Received seen = KafkaTestResource.app().received().stream()
                .filter(received -> java.util.Arrays.equals(received.body(), body)).findFirst().orElseThrow();
        assertThat(seen.header("Mep-Correlation-Id")).isEqualTo(uuid.toString());
    }

    @Test
    void aOneWayRecordWithoutCorrelationReachesTheAppOfASpringDialectOperation() throws Exception {
        byte[] body = ("plain event " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        send(new ProducerRecord<>("test.spring-notify", body)); // what KafkaTemplate.send(topic, value) writes

        TestApp.Received seen = await().atMost(Duration.ofSeconds(15)).until(() -> KafkaTestResource.app().received()
                .stream().filter(received -> java.util.Arrays.equals(received.body(), body)).findFirst(),
                found -> found.isPresent()).get();
        assertThat(seen.path()).isEqualTo("/spring-notify");
        assertThat(seen.header("Mep-Correlation-Id")).matches("\\d+@\\d+-test\\.spring-notify");
    }

    @Test
    void aRecordWithoutCorrelationIsStillDeadLetteredForACloudEventsOperation() throws Exception {
        byte[] body = ("no correlation " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        send(new ProducerRecord<>("test.notify", body));

        ConsumerRecord<String, byte[]> letter = await().atMost(Duration.ofSeconds(15)).until(() -> TopicReader
                .recordsWithValue(bootstrap(), "test.notify.dlq", body), found -> !found.isEmpty()).get(0);
        assertThat(text(letter, "dead-letter-reason")).isEqualTo("undecodable");
        assertThat(text(letter, "dead-letter-cause")).contains("ce_correlationid, kafka_correlationId,"
                + " REPLY_CORRELATION_ID");
    }

    private static String bootstrap() {
        return KafkaTestResource.broker().bootstrapServers();
    }

    private static void send(ProducerRecord<String, byte[]> record) throws Exception {
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            producer.send(record).get();
        }
    }

    private static String text(ConsumerRecord<String, byte[]> record, String header) {
        Header found = record.headers().lastHeader(header);
        return found == null ? null : new String(found.value(), StandardCharsets.UTF_8);
    }
}
