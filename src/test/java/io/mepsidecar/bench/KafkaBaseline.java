package io.mepsidecar.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The floor: a plain kafka-clients request-reply pair, no HTTP, no sidecar. The client (this class, in the load
 * generator's JVM) registers the call, produces the request with a correlation id and reply-topic header; the server
 * ({@link Server}, in a JVM of its own, as a service would be) consumes it and produces the reply with the same
 * correlation id; the client's reply consumer completes the call. Producer and consumer settings are the sidecar's
 * (acks=all, idempotence, linger.ms=0).
 */
final class KafkaBaseline implements Target, AutoCloseable {

    private static final String CORRELATION = "correlation-id";
    private static final String REPLY_TO = "reply-to";

    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final String requestTopic;
    private final String replyTopic;
    private final Loop replies;

    KafkaBaseline(String bootstrap, String requestTopic, String replyTopic) {
        this.requestTopic = requestTopic;
        this.replyTopic = replyTopic;
        this.producer = new KafkaProducer<>(producerSettings(bootstrap));
        this.replies = new Loop("baseline-replies", consumerSettings(bootstrap, null), replyTopic, false,
                this::complete);
    }

    void start() {
        replies.start();
        replies.awaitReady();
    }

    @Override
    public CompletableFuture<Void> call(byte[] payload) {
        String id = UUID.randomUUID().toString();
        CompletableFuture<Void> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ProducerRecord<String, byte[]> request = new ProducerRecord<>(requestTopic, id, payload);
        request.headers().add(CORRELATION, id.getBytes(StandardCharsets.UTF_8));
        request.headers().add(REPLY_TO, replyTopic.getBytes(StandardCharsets.UTF_8));
        producer.send(request, (metadata, error) -> {
            if (error != null) {
                pending.remove(id);
                reply.completeExceptionally(error);
            }
        });
        return reply;
    }

    private void complete(ConsumerRecord<String, byte[]> reply) {
        CompletableFuture<Void> call = pending.remove(header(reply, CORRELATION));
        if (call != null) {
            call.complete(null);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        replies.stop();
        producer.close(Duration.ofSeconds(5));
    }

    private static Map<String, Object> producerSettings(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private static Map<String, Object> consumerSettings(String bootstrap, String group) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        }
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, group != null);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /** The baseline's service: consumes each request and produces it back as the reply, with its own producer. */
    static final class Server implements AutoCloseable {

        private final KafkaProducer<String, byte[]> producer;
        private final Loop requests;

        Server(String bootstrap, String requestTopic) {
            this.producer = new KafkaProducer<>(producerSettings(bootstrap));
            this.requests = new Loop("baseline-server", consumerSettings(bootstrap, "baseline-server"), requestTopic,
                    true, this::serve);
        }

        void start() {
            requests.start();
            requests.awaitReady();
        }

        private void serve(ConsumerRecord<String, byte[]> request) {
            ProducerRecord<String, byte[]> reply = new ProducerRecord<>(header(request, REPLY_TO), request.key(),
                    request.value());
            reply.headers().add(CORRELATION, request.headers().lastHeader(CORRELATION).value());
            producer.send(reply);
        }

        @Override
        public void close() {
            requests.stop();
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** A consumer thread: subscribed in a group (server) or assigned every partition from the end (replies). */
    private static final class Loop {

        private final Thread thread;
        private final KafkaConsumer<String, byte[]> consumer;
        private final CompletableFuture<Void> ready = new CompletableFuture<>();
        private volatile boolean running = true;

        Loop(String name, Map<String, Object> settings, String topic, boolean group,
                java.util.function.Consumer<ConsumerRecord<String, byte[]>> handler) {
            this.consumer = new KafkaConsumer<>(settings);
            this.thread = new Thread(() -> run(topic, group, handler), name);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void awaitReady() {
            ready.join();
        }

        private void run(String topic, boolean group,
                java.util.function.Consumer<ConsumerRecord<String, byte[]>> handler) {
            try {
                if (group) {
                    consumer.subscribe(List.of(topic));
                    while (consumer.assignment().isEmpty()) {
                        consumer.poll(Duration.ofMillis(100));
                    }
                    consumer.seekToEnd(consumer.assignment());
                    consumer.assignment().forEach(consumer::position);
                } else {
                    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
                    consumer.assign(partitions);
                    consumer.seekToEnd(partitions);
                    partitions.forEach(consumer::position);
                }
                ready.complete(null);
                while (running) {
                    consumer.poll(Duration.ofSeconds(1)).forEach(handler);
                }
            } catch (WakeupException e) {
                // stopping
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        void stop() {
            running = false;
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
