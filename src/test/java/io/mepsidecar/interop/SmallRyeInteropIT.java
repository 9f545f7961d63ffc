package io.mepsidecar.interop;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import io.smallrye.reactive.messaging.kafka.reply.ReplyFailureHandler;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

/**
 * SmallRye Reactive Messaging's Kafka connector against sidecars, both ways, on a real broker: a
 * {@link KafkaRequestReply} calls operations a sidecar serves; an {@code @Incoming}/{@code @Outgoing} processor on
 * the connector serves an operation ({@code dialect: smallrye}) a sidecar calls. The connector's classes are hosted
 * by {@link SmallRyeKafka}.
 */
class SmallRyeInteropIT {

    private static final Path CONTRACT = Path.of("src/test/resources/interop-contract.yaml");
    private static final int QUOTES_REPLY_PARTITION = 1;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;
    private static SmallRyeKafka smallrye;
    private static KafkaRequestReply<String, String> quotes;
    private static KafkaRequestReply<String, String> statuses;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "interop.echo", "interop.status", "interop.smallrye-upper", "interop.smallrye-refuse",
                "smallrye-quotes.replies", "smallrye-statuses.replies", "frontend.replies");
        app = TestApp.start();
        // the sidecars boot while the library side is set up; each start() waits for its readiness
        CompletableFuture<SidecarProcess> serviceStarted = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("quote-service")
                        .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                        .appUrl(app.url()).serves("echo,status")
                        .start());
        CompletableFuture<SidecarProcess> callerStarted = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("frontend")
                        .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                        .start());
        try {
            // an application's configuration; reply topics named to match the serving sidecar's
            // mep.service.reply-topics (SmallRye's default would be <topic>-replies)
            Map<String, String> config = new LinkedHashMap<>();
            config.put("mp.messaging.connector.smallrye-kafka.bootstrap.servers", broker.bootstrapServers());
            config.put("mp.messaging.connector.smallrye-kafka.tracing-enabled", "false");
            config.put("mp.messaging.connector.smallrye-kafka.health-enabled", "false");
            // a client with the connector's defaults (a UUID correlation id), replies on one partition
            config.put("mp.messaging.outgoing.quotes.topic", "interop.echo");
            config.put("mp.messaging.outgoing.quotes.value.serializer", StringSerializer.class.getName());
            config.put("mp.messaging.outgoing.quotes.reply.topic", "smallrye-quotes.replies");
            config.put("mp.messaging.outgoing.quotes.reply.partition", Integer.toString(QUOTES_REPLY_PARTITION));
            config.put("mp.messaging.outgoing.quotes.reply.value.deserializer", StringDeserializer.class.getName());
            config.put("mp.messaging.outgoing.quotes.reply.timeout", "15000");
            // a client with binary correlation ids and the failure handler the migration guide recommends
            config.put("mp.messaging.outgoing.statuses.topic", "interop.status");
            config.put("mp.messaging.outgoing.statuses.value.serializer", StringSerializer.class.getName());
            config.put("mp.messaging.outgoing.statuses.reply.topic", "smallrye-statuses.replies");
            config.put("mp.messaging.outgoing.statuses.reply.value.deserializer", StringDeserializer.class.getName());
            config.put("mp.messaging.outgoing.statuses.reply.timeout", "15000");
            config.put("mp.messaging.outgoing.statuses.reply.correlation-id.handler", "bytes");
            config.put("mp.messaging.outgoing.statuses.reply.failure.handler", "ce-status");
            // a service: @Incoming("upper-requests") @Outgoing("upper-replies") String upper(String request)
            config.put("mp.messaging.incoming.upper-requests.topic", "interop.smallrye-upper");
            config.put("mp.messaging.incoming.upper-requests.group.id", "smallrye-service");
            config.put("mp.messaging.incoming.upper-requests.auto.offset.reset", "earliest");
            config.put("mp.messaging.incoming.upper-requests.value.deserializer", StringDeserializer.class.getName());
            config.put("mp.messaging.outgoing.upper-replies.value.serializer", StringSerializer.class.getName());
            // a service answering with another status: its reply carries a ce_status header
            config.put("mp.messaging.incoming.refuse-requests.topic", "interop.smallrye-refuse");
            config.put("mp.messaging.incoming.refuse-requests.group.id", "smallrye-refuse-service");
            config.put("mp.messaging.incoming.refuse-requests.auto.offset.reset", "earliest");
            config.put("mp.messaging.incoming.refuse-requests.value.deserializer", StringDeserializer.class.getName());
            config.put("mp.messaging.outgoing.refuse-replies.value.serializer", StringSerializer.class.getName());

            smallrye = new SmallRyeKafka(config).replyFailureHandler("ce-status", new CeStatusFailureHandler());
            quotes = smallrye.requestReply("quotes");
            statuses = smallrye.requestReply("statuses");
            smallrye.<String, String>processor("upper-requests", "upper-replies", String::toUpperCase);
            smallrye.<String>messageProcessor("refuse-requests", "refuse-replies", request -> request
                    .withPayload("market closed")
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                            .withHeaders(List.of(new RecordHeader("ce_status",
                                    "422".getBytes(StandardCharsets.UTF_8))))
                            .build()));
        } finally {
            try {
                caller = callerStarted.join();
            } finally {
                service = serviceStarted.join();
            }
        }
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(smallrye, caller, service, app, broker);
    }

    @Test
    void kafkaRequestReplyGetsTheServingAppsReplyOnItsReplyPartition() {
        String body = "{\"symbol\":\"ACME\",\"id\":\"" + UUID.randomUUID() + "\"}";

        Message<String> reply = quotes.request(Message.of(body)).await().atMost(WAIT);

        assertThat(reply.getPayload()).isEqualTo(body);
        IncomingKafkaRecordMetadata<?, ?> metadata = reply.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow();
        assertThat(metadata.getPartition()).isEqualTo(QUOTES_REPLY_PARTITION);
        assertThat(text(metadata.getHeaders().lastHeader("ce_status"))).isEqualTo("200");
        assertThat(app.received()).anyMatch(r -> r.path().equals("/echo")
                && new String(r.body(), StandardCharsets.UTF_8).equals(body));
    }

    @Test
    void aBinaryCorrelationIdComesBackByteForByte() {
        String key = UUID.randomUUID().toString();

        Message<String> reply = statuses.request(Message.of("200 all quotes in")
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()))
                .await().atMost(WAIT);

        assertThat(reply.getPayload()).isEqualTo("all quotes in");
        ConsumerRecord<String, byte[]> sent = TopicReader.recordsWithKey(broker.bootstrapServers(), "interop.status",
                key).get(0);
        byte[] correlation = sent.headers().lastHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER).value();
        assertThat(correlation).hasSize(12);
        assertThat(reply.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow().getHeaders()
                .lastHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER).value()).isEqualTo(correlation);
    }

    @Test
    void anAppErrorStatusBecomesTheReplyFailureHandlersException() {
        assertThatThrownBy(() -> statuses.request("503 market closed").await().atMost(WAIT))
                .isInstanceOf(AppErrorException.class)
                .hasMessage("503: market closed");
    }

    @Test
    void aSidecarCallsASmallRyeProcessor() {
        String body = "hello smallrye " + UUID.randomUUID();

        given().baseUri(caller.url()).contentType("text/plain").body(body)
                .when().post("/v1/invoke/smallrye-upper")
                .then().statusCode(200).body(equalTo(body.toUpperCase()));
    }

    @Test
    void aSmallRyeServiceAnswersWithAnotherStatusThroughCeStatus() {
        given().baseUri(caller.url()).contentType("text/plain").body("a quote please")
                .when().post("/v1/invoke/smallrye-refuse")
                .then().statusCode(422).body(equalTo("market closed"));
    }

    private static String text(Header header) {
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A reply with an error status (ce_status 4xx/5xx) fails the request, as an application would register it. */
    static final class CeStatusFailureHandler implements ReplyFailureHandler {

        @Override
        public Throwable handleReply(io.smallrye.reactive.messaging.kafka.KafkaRecord<?, ?> reply) {
            String status = text(reply.getHeaders().lastHeader("ce_status"));
            int code = status == null ? 200 : Integer.parseInt(status);
            return code >= 400 ? new AppErrorException(code, String.valueOf(reply.getPayload())) : null;
        }
    }

    static final class AppErrorException extends RuntimeException {

        AppErrorException(int status, String body) {
            super(status + ": " + body);
        }
    }
}
