package io.mepsidecar.interop;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.messaging.support.MessageBuilder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Spring for Apache Kafka against sidecars, both ways, on a real broker: a {@link ReplyingKafkaTemplate} calls
 * operations a sidecar serves; a {@code @KafkaListener} with {@code @SendTo} serves an operation ({@code dialect:
 * spring}) a sidecar calls; a plain {@link KafkaTemplate#send} reaches a sidecar's app one-way.
 */
class SpringInteropIT {

    private static final Path CONTRACT = Path.of("src/test/resources/interop-contract.yaml");
    /** The Spring client's reply topic: named to match the serving sidecar's mep.service.reply-topics. */
    private static final String CLIENT_REPLIES = "spring-client.replies";
    private static final int CLIENT_REPLY_PARTITION = 1;

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;
    private static KafkaMessageListenerContainer<String, String> replyContainer;
    private static ReplyingKafkaTemplate<String, String, String> client;
    private static AnnotationConfigApplicationContext springService;

    @BeforeAll
    static void startTopology() throws InterruptedException {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "interop.echo", "interop.status", "interop.spring-upper", "interop.spring-refuse",
                "interop.spring-event",
                CLIENT_REPLIES, "frontend.replies");
        app = TestApp.start();
        // the sidecars boot while the library side is set up; each start() waits for its readiness
        CompletableFuture<SidecarProcess> serviceStarted = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("quote-service")
                        .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                        .appUrl(app.url()).serves("echo,status,spring-event")
                        .start());
        CompletableFuture<SidecarProcess> callerStarted = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("frontend")
                        .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                        .start());
        try {
            // the client, as an application builds it: replies read from one partition of its own reply topic
            ContainerProperties replies = new ContainerProperties(
                    new TopicPartitionOffset(CLIENT_REPLIES, CLIENT_REPLY_PARTITION));
            replies.setGroupId("spring-client");
            replies.setPollTimeout(500); // only so that the test stops quickly
            replyContainer = new KafkaMessageListenerContainer<>(new DefaultKafkaConsumerFactory<>(
                    consumerSettings("spring-client"), new StringDeserializer(), new StringDeserializer()), replies);
            client = new ReplyingKafkaTemplate<>(new DefaultKafkaProducerFactory<>(producerSettings(),
                    new StringSerializer(), new StringSerializer()), replyContainer);
            client.setDefaultReplyTimeout(Duration.ofSeconds(15));
            // the error checker the migration guide recommends: an app's error status arrives as ce_status
            client.setReplyErrorChecker(record -> {
                Header status = record.headers().lastHeader("ce_status");
                int code = status == null ? 200 : Integer.parseInt(new String(status.value(), StandardCharsets.UTF_8));
                return code >= 400 ? new AppErrorException(code, String.valueOf(record.value())) : null;
            });
            client.start();
            assertThat(client.waitForAssignment(Duration.ofSeconds(15))).as("reply partition assigned").isTrue();

            springService = new AnnotationConfigApplicationContext();
            springService.getEnvironment().getPropertySources().addFirst(
                    new MapPropertySource("interop", Map.of("interop.bootstrap", broker.bootstrapServers())));
            springService.register(SpringService.class);
            springService.refresh();
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
        Closer.closeAll(springService, client == null ? null : client::destroy, caller, service, app, broker);
    }

    @Test
    void replyingKafkaTemplateGetsTheServingAppsReplyMatchedByItsBinaryCorrelationId() throws Exception {
        String key = UUID.randomUUID().toString();
        String body = "{\"symbol\":\"ACME\",\"id\":\"" + key + "\"}";
        ProducerRecord<String, String> request = new ProducerRecord<>("interop.echo", key, body);
        request.headers().add(KafkaHeaders.REPLY_PARTITION, ByteBuffer.allocate(4).putInt(CLIENT_REPLY_PARTITION)
                .array());

        ConsumerRecord<String, String> reply = client.sendAndReceive(request).get(20, TimeUnit.SECONDS);

        assertThat(reply.value()).isEqualTo(body);
        assertThat(reply.partition()).isEqualTo(CLIENT_REPLY_PARTITION);
        assertThat(new String(reply.headers().lastHeader("ce_status").value(), StandardCharsets.UTF_8))
                .isEqualTo("200");
        // Spring's default correlation id: 16 bytes, binary (not text); the reply carries exactly those bytes
        ConsumerRecord<String, byte[]> sent = TopicReader.recordsWithKey(broker.bootstrapServers(), "interop.echo",
                key).get(0);
        byte[] correlation = sent.headers().lastHeader(KafkaHeaders.CORRELATION_ID).value();
        assertThat(correlation).hasSize(16);
        assertThat(reply.headers().lastHeader(KafkaHeaders.CORRELATION_ID).value()).isEqualTo(correlation);
        assertThat(app.received()).anyMatch(r -> r.path().equals("/echo")
                && new String(r.body(), StandardCharsets.UTF_8).equals(body));
    }

    @Test
    void anAppErrorStatusBecomesTheReplyErrorCheckersException() {
        ProducerRecord<String, String> request = new ProducerRecord<>("interop.status", "500 out of quotes");
        request.headers().add(KafkaHeaders.REPLY_PARTITION, ByteBuffer.allocate(4).putInt(CLIENT_REPLY_PARTITION)
                .array());

        assertThatThrownBy(() -> client.sendAndReceive(request).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(AppErrorException.class)
                .hasMessage("500: out of quotes");
    }

    @Test
    void aSidecarCallsASpringSendToListener() {
        String body = "hello spring " + UUID.randomUUID();

        Response response = given().baseUri(caller.url()).contentType("text/plain").body(body)
                .when().post("/v1/invoke/spring-upper");

        response.then().statusCode(200).body(equalTo(body.toUpperCase()));
    }

    @Test
    void aSpringServiceAnswersWithAnotherStatusThroughCeStatus() {
        given().baseUri(caller.url()).contentType("text/plain").body("a quote please")
                .when().post("/v1/invoke/spring-refuse")
                .then().statusCode(409).body(equalTo("no quotes on sundays"));
    }

    @Test
    void aKafkaTemplateSendWithoutCorrelationReachesTheServingAppOneWay() {
        String body = "{\"event\":\"" + UUID.randomUUID() + "\"}";
        DefaultKafkaProducerFactory<String, String> producers = new DefaultKafkaProducerFactory<>(
                producerSettings(), new StringSerializer(), new StringSerializer());
        try {
            new KafkaTemplate<>(producers).send("interop.spring-event", body).join();
        } finally {
            producers.destroy();
        }

        await("the event at the serving app").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(app.received()).anyMatch(r -> r.path().equals("/spring-event")
                        && new String(r.body(), StandardCharsets.UTF_8).equals(body)));
    }

    private static Map<String, Object> producerSettings() {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    private static Map<String, Object> consumerSettings(String group) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    }

    /** What the client's reply error checker makes of an error reply. */
    static final class AppErrorException extends Exception {

        AppErrorException(int status, String body) {
            super(status + ": " + body);
        }
    }

    /** A Spring service as an application writes it: a listener container factory with a reply template. */
    @Configuration
    @EnableKafka
    static class SpringService {

        @Bean
        ProducerFactory<String, String> producerFactory(Environment env) {
            return new DefaultKafkaProducerFactory<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getRequiredProperty("interop.bootstrap")),
                    new StringSerializer(), new StringSerializer());
        }

        @Bean
        KafkaTemplate<String, String> kafkaTemplate(ProducerFactory<String, String> producerFactory) {
            return new KafkaTemplate<>(producerFactory);
        }

        @Bean
        ConsumerFactory<String, String> consumerFactory(Environment env) {
            return new DefaultKafkaConsumerFactory<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getRequiredProperty("interop.bootstrap"),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer());
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, String> kafkaListenerContainerFactory(
                ConsumerFactory<String, String> consumerFactory, KafkaTemplate<String, String> kafkaTemplate) {
            ConcurrentKafkaListenerContainerFactory<String, String> factory =
                    new ConcurrentKafkaListenerContainerFactory<>();
            factory.setConsumerFactory(consumerFactory);
            factory.setReplyTemplate(kafkaTemplate);
            factory.getContainerProperties().setPollTimeout(500); // only so that the test stops quickly
            return factory;
        }

        @Bean
        UpperService upperService() {
            return new UpperService();
        }
    }

    static class UpperService {

        @KafkaListener(id = "spring-upper", topics = "interop.spring-upper")
        @SendTo
        public String upper(String request) {
            return request.toUpperCase();
        }

        /** A status other than 200: a ce_status header (bytes, UTF-8) on the reply. */
        @KafkaListener(id = "spring-refuse", topics = "interop.spring-refuse")
        @SendTo
        public Message<String> refuse(String request) {
            return MessageBuilder.withPayload("no quotes on sundays")
                    .setHeader("ce_status", "409".getBytes(StandardCharsets.UTF_8))
                    .build();
        }
    }
}
