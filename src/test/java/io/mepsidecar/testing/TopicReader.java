package io.mepsidecar.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Reads what is on a topic, as a test assertion on the wire. */
public final class TopicReader {

    private TopicReader() {
    }

    /** Every record currently on the topic whose {@code header} equals {@code value}. */
    public static List<ConsumerRecord<String, byte[]>> recordsWithHeader(String bootstrap, String topic, String header,
            String value) {
        return records(bootstrap, topic, record -> value.equals(header(record, header)));
    }

    /** Every record currently on the topic with that key. */
    public static List<ConsumerRecord<String, byte[]>> recordsWithKey(String bootstrap, String topic, String key) {
        return records(bootstrap, topic, record -> key.equals(record.key()));
    }

    /** Every record currently on the topic whose value is {@code value}. */
    public static List<ConsumerRecord<String, byte[]>> recordsWithValue(String bootstrap, String topic, byte[] value) {
        return records(bootstrap, topic, record -> java.util.Arrays.equals(value, record.value()));
    }

    private static List<ConsumerRecord<String, byte[]>> records(String bootstrap, String topic,
            Predicate<ConsumerRecord<String, byte[]>> wanted) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> matching = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (wanted.test(record)) {
                        matching.add(record);
                    }
                }
            }
            return matching;
        }
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

}
