package io.mepsidecar.contract;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The header names a request-reply record carries its correlation id, reply topic and reply partition in
 * (docs/protocol.md, "Header dialects"). Every other header is the same in every dialect. An operation's dialect
 * chooses what a calling sidecar publishes; a serving sidecar recognises all three on what it reads and answers in
 * the dialect of the request.
 */
public enum Dialect {
    /** CloudEvents extension attributes, UTF-8 text: the sidecar's own protocol. */
    CLOUDEVENTS("cloudevents", WireHeaders.CORRELATION_ID, WireHeaders.REPLY_TO, WireHeaders.REPLY_PARTITION, false),
    /** Spring for Apache Kafka ({@code ReplyingKafkaTemplate}, {@code @SendTo}): the partition is a 4-byte int. */
    SPRING("spring", "kafka_correlationId", "kafka_replyTopic", "kafka_replyPartition", true),
    /** SmallRye Reactive Messaging ({@code KafkaRequestReply}): the partition is a 4-byte int. */
    SMALLRYE("smallrye", "REPLY_CORRELATION_ID", "REPLY_TOPIC", "REPLY_PARTITION", true);

    /** The dialect of operations that name none. */
    public static final Dialect DEFAULT = CLOUDEVENTS;

    /** The correlation headers of all dialects, for messages about a record that has none of them. */
    public static final String CORRELATION_HEADERS = Arrays.stream(values()).map(Dialect::correlationHeader)
            .collect(Collectors.joining(", "));

    private final String wireName;
    private final String correlationHeader;
    private final String replyTopicHeader;
    private final String replyPartitionHeader;
    private final boolean binaryPartition;

    Dialect(String wireName, String correlationHeader, String replyTopicHeader, String replyPartitionHeader,
            boolean binaryPartition) {
        this.wireName = wireName;
        this.correlationHeader = correlationHeader;
        this.replyTopicHeader = replyTopicHeader;
        this.replyPartitionHeader = replyPartitionHeader;
        this.binaryPartition = binaryPartition;
    }

    /** The name used in the contract file. */
    public String wireName() {
        return wireName;
    }

    public String correlationHeader() {
        return correlationHeader;
    }

    public String replyTopicHeader() {
        return replyTopicHeader;
    }

    public String replyPartitionHeader() {
        return replyPartitionHeader;
    }

    /** The reply partition as this dialect writes it. */
    public byte[] encodePartition(int partition) {
        return binaryPartition ? ByteBuffer.allocate(Integer.BYTES).putInt(partition).array()
                : Integer.toString(partition).getBytes(StandardCharsets.UTF_8);
    }

    /** The reply partition a header of this dialect names; null when it names none (or a negative one). */
    public Integer decodePartition(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            int partition = binaryPartition
                    ? value.length == Integer.BYTES ? ByteBuffer.wrap(value).getInt() : -1
                    : Integer.parseInt(new String(value, StandardCharsets.UTF_8).trim());
            return partition >= 0 ? partition : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Parses a contract value such as {@code spring}; throws {@link ContractException} on anything else. */
    public static Dialect fromWireName(String value) {
        for (Dialect dialect : values()) {
            if (dialect.wireName.equals(value)) {
                return dialect;
            }
        }
        throw new ContractException("unknown dialect '" + value + "', expected one of " + Arrays.stream(values())
                .map(Dialect::wireName).collect(Collectors.joining(", ")));
    }
}
