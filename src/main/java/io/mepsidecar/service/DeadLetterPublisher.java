package io.mepsidecar.service;

import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.kafka.KafkaSender;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.observability.SidecarMetrics;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Puts a request record the sidecar will not serve on its operation's dead-letter topic: the original key, value and
 * headers, plus {@code dead-letter-*} headers naming the reason and where the record came from (names as the SmallRye
 * Kafka connector writes them, so tools for its dead letters read ours). A publish that fails for a passing reason is
 * tried again; one that never can (topic missing, not authorised) is logged with the record's coordinates and
 * counted, and the record finished: a dead letter that cannot be written must not stop its partition.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    /** Headers added to a dead letter. */
    public static final String REASON = "dead-letter-reason";
    public static final String CAUSE = "dead-letter-cause";
    public static final String TOPIC = "dead-letter-topic";
    public static final String PARTITION = "dead-letter-partition";
    public static final String OFFSET = "dead-letter-offset";
    public static final String TIMESTAMP = "dead-letter-timestamp";
    public static final String TIME = "dead-letter-time";
    public static final String SOURCE = "dead-letter-source";

    private static final Logger LOG = Logger.getLogger(DeadLetterPublisher.class);

    @Inject
    KafkaSender sender;

    @Inject
    SidecarIdentity identity;

    @Inject
    SidecarMetrics metrics;

    @Inject
    Vertx vertx;

    /**
     * Never fails: {@link Disposition#DEAD_LETTERED} once written (or given up for good),
     * {@link Disposition#UNFINISHED} when {@code keepTrying} stopped it before it was written.
     */
    CompletableFuture<Disposition> publish(Operation operation, ConsumerRecord<String, byte[]> record,
            Rejection rejection, BooleanSupplier keepTrying) {
        LOG.warnf("dead-lettering the request at %s-%d@%d to %s: %s (%s)", record.topic(), record.partition(),
                record.offset(), operation.deadLetterTopic(), rejection.reason().code(), rejection.detail());
        ProducerRecord<String, byte[]> letter = letter(operation, record, rejection);
        return Retries.publish(vertx, () -> sender.send(letter), keepTrying, metrics::publishRetried)
                .handle((written, error) -> {
                    if (error == null) {
                        return Disposition.DEAD_LETTERED;
                    }
                    if (Retries.isPassing(error)) {
                        return Disposition.UNFINISHED;
                    }
                    LOG.errorf("the request at %s-%d@%d could not be dead-lettered to %s and is dropped: %s",
                            record.topic(), record.partition(), record.offset(), operation.deadLetterTopic(),
                            error.toString());
                    metrics.deadLetterFailed(operation.name());
                    return Disposition.DEAD_LETTERED;
                });
    }

    private ProducerRecord<String, byte[]> letter(Operation operation, ConsumerRecord<String, byte[]> record,
            Rejection rejection) {
        ProducerRecord<String, byte[]> letter = new ProducerRecord<>(operation.deadLetterTopic(), record.key(),
                record.value());
        for (Header header : record.headers()) {
            letter.headers().add(header);
        }
        RecordHeaders.put(letter.headers(), REASON, rejection.reason().code());
        RecordHeaders.put(letter.headers(), CAUSE, rejection.detail());
        RecordHeaders.put(letter.headers(), TOPIC, record.topic());
        RecordHeaders.put(letter.headers(), PARTITION, Integer.toString(record.partition()));
        RecordHeaders.put(letter.headers(), OFFSET, Long.toString(record.offset()));
        RecordHeaders.put(letter.headers(), TIMESTAMP, Long.toString(record.timestamp()));
        RecordHeaders.put(letter.headers(), TIME, Instant.now().toString());
        RecordHeaders.put(letter.headers(), SOURCE, identity.source());
        return letter;
    }
}
