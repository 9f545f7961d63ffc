package io.mepsidecar.service;

import io.mepsidecar.config.SidecarConfig;
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

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * On a share group, a request given back on the last delivery the broker makes because this replica's app is away
 * (not because of anything in the request) is published again to its own topic as a new record, with its delivery
 * count back at zero, and the original is finished: the broker would drop it, and dead-lettering it would fail a call
 * that another replica's app can serve. This happens when a replica loses its app while its slots are still fetching:
 * until they notice and close, a request given back can be handed to them again and again.
 *
 * <p>The copy carries the original's key, value and headers, plus {@value #HEADER} (how often it was requeued). A
 * request requeued {@code mep.service.max-deliveries} times is dead-lettered instead: no replica's app took it.
 */
@ApplicationScoped
public class Requeues {

    /** How often a request was published again because the replicas that got it had no app. */
    public static final String HEADER = "mep-requeues";

    private static final Logger LOG = Logger.getLogger(Requeues.class);

    @Inject
    KafkaSender sender;

    @Inject
    SidecarConfig config;

    @Inject
    SidecarMetrics metrics;

    @Inject
    Vertx vertx;

    /** True when the record may be requeued once more. */
    boolean allowed(ConsumerRecord<String, byte[]> record) {
        return count(record) < config.service().maxDeliveries();
    }

    /** How often the record was requeued before; 0 for a record as the caller published it. */
    static int count(ConsumerRecord<String, byte[]> record) {
        try {
            return RecordHeaders.get(record.headers(), HEADER).map(Integer::parseInt).orElse(0);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE; // not ours: no more requeues
        }
    }

    /**
     * Publishes the copy, trying again while a failure may pass and {@code keepTrying} holds. Completes with
     * {@link Disposition#FINISHED} once the copy is written; {@link Disposition#UNFINISHED} when it was not (the record
     * is given back, and dead-lettered on its next last delivery); fails when it can never be written.
     */
    CompletableFuture<Disposition> requeue(Operation operation, ConsumerRecord<String, byte[]> record,
            BooleanSupplier keepTrying) {
        int requeues = count(record) + 1;
        LOG.infof("the request at %s-%d@%d is on its last delivery and this replica's app is away: published again"
                + " to %s for a replica whose app is there (requeue %d of at most %d)", record.topic(),
                record.partition(), record.offset(), record.topic(), requeues, config.service().maxDeliveries());
        ProducerRecord<String, byte[]> copy = new ProducerRecord<>(record.topic(), record.key(), record.value());
        for (Header header : record.headers()) {
            if (!HEADER.equals(header.key())) {
                copy.headers().add(header);
            }
        }
        RecordHeaders.put(copy.headers(), HEADER, Integer.toString(requeues));
        return Retries.publish(vertx, () -> sender.send(copy), keepTrying, metrics::publishRetried)
                .handle((written, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(Disposition.FINISHED);
                    }
                    if (Retries.isPassing(error)) {
                        return CompletableFuture.completedFuture(Disposition.UNFINISHED);
                    }
                    return CompletableFuture.<Disposition>failedFuture(error);
                }).thenCompose(done -> done);
    }
}
