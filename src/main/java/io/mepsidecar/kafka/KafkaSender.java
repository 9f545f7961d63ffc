package io.mepsidecar.kafka;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.error.Failures;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one producer of the sidecar, shared by both roles. {@link KafkaProducer#send} may block while it fetches
 * metadata or waits for buffer space, so a record whose send could block goes to a dedicated send thread, never
 * blocking an HTTP event loop; at most {@value #MAX_QUEUED} records wait for that thread, beyond which a send fails at
 * once. A record is queued only once {@link TopicDirectory} knows its topic exists, so no send waits for a topic that
 * is not there.
 *
 * <p>A record to a topic this producer wrote to (acknowledged) in the last {@value #INLINE_WINDOW_MS} ms, while the
 * producer's buffer has room, is sent at once on the caller's thread instead: its metadata is cached (the producer
 * drops a topic's metadata only after {@code metadata.max.idle.ms}, 5 minutes unused) and the buffer will not make it
 * wait, so {@code send} only serialises the record and appends it to a batch. That saves two thread hand-offs per
 * record on the busy path (docs/benchmarks.md). Only while no record is on its way to the send thread, so that a
 * record never overtakes one its thread sent before. The producer is created at start-up, not by the first call.
 */
@Startup
@ApplicationScoped
public class KafkaSender {

    /** Records waiting for the send thread at most. */
    static final int MAX_QUEUED = 10_000;
    /** A topic written to this recently has its metadata cached: its records are sent inline. */
    static final long INLINE_WINDOW_MS = 10_000;
    /** Room the producer's buffer must have, beyond the record, for an inline send (so it cannot block). */
    private static final long BUFFER_MARGIN = 1024 * 1024;

    @Inject
    KafkaClientSettings settings;

    @Inject
    TopicDirectory topics;

    @Inject
    MeterRegistry meterRegistry;

    @Inject
    SidecarConfig config;

    private Producer<String, byte[]> producer;
    private ThreadPoolExecutor sendThread;
    private KafkaClientMetrics producerMetrics;
    /** Per topic: when a record to it was last acknowledged (System.nanoTime). */
    private final Map<String, Long> lastAcknowledged = new ConcurrentHashMap<>();
    /**
     * Records on their way to the send thread (looking up their topic, queued, being sent). While there are any, no
     * record is sent inline: one sent after another by the same thread must not overtake it.
     */
    private final AtomicInteger notYetSent = new AtomicInteger();
    private Metric bufferAvailable;
    private boolean inline;

    @PostConstruct
    void start() {
        producer = new KafkaProducer<>(settings.producer());
        producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(meterRegistry);
        inline = config.debug().inlineSend();
        bufferAvailable = producer.metrics().entrySet().stream()
                .filter(metric -> metric.getKey().name().equals("buffer-available-bytes")
                        && metric.getKey().group().equals("producer-metrics"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        sendThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED),
                r -> {
                    Thread thread = new Thread(r, "mep-kafka-send");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /**
     * Completes when the broker acknowledged the record (acks=all); fails when it could not be published: with
     * {@link MissingTopicException} when its topic does not exist, with {@link SendQueueFullException} when too many
     * records wait already, else with the producer's error.
     */
    public CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return send(record, null);
    }

    /**
     * As {@link #send(ProducerRecord)}; {@code beforeSend}, when not null, runs just before the record is handed to
     * the producer, on the send thread or (inline) on this one (a traced call stamps its {@code send} hop there), and
     * must not block.
     */
    public CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record, Runnable beforeSend) {
        // The future handed out is the one the send thread looks at: a caller that stops waiting (completes it)
        // keeps the record from being sent behind its back.
        CompletableFuture<RecordMetadata> acknowledged = new CompletableFuture<>();
        if (notYetSent.get() == 0 && mayInline(record)) {
            sendNow(record, acknowledged, beforeSend);
            return acknowledged;
        }
        notYetSent.incrementAndGet();
        topics.requireExisting(record.topic()).whenComplete((exists, error) -> {
            if (error != null) {
                notYetSent.decrementAndGet();
                acknowledged.completeExceptionally(Failures.unwrap(error));
            } else {
                enqueue(record, acknowledged, beforeSend);
            }
        });
        return acknowledged;
    }

    private void enqueue(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> acknowledged,
            Runnable beforeSend) {
        try {
            sendThread.execute(() -> {
                try {
                    sendNow(record, acknowledged, beforeSend);
                } finally {
                    notYetSent.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            notYetSent.decrementAndGet();
            acknowledged.completeExceptionally(sendThread.isShutdown()
                    ? new IllegalStateException("the sidecar is shutting down", e) : new SendQueueFullException());
        }
    }

    private void sendNow(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> acknowledged,
            Runnable beforeSend) {
        if (acknowledged.isDone()) {
            return; // the caller gave up waiting (and was answered 503): do not publish behind its back
        }
        try {
            if (beforeSend != null) {
                beforeSend.run();
            }
            String topic = record.topic();
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    lastAcknowledged.put(topic, System.nanoTime());
                    acknowledged.complete(metadata);
                } else {
                    acknowledged.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            acknowledged.completeExceptionally(e);
        }
    }

    /** True when {@code send} cannot block: the topic's metadata is cached and the buffer has room. */
    private boolean mayInline(ProducerRecord<String, byte[]> record) {
        if (!inline) {
            return false;
        }
        Long acknowledgedAt = lastAcknowledged.get(record.topic());
        if (acknowledgedAt == null
                || System.nanoTime() - acknowledgedAt > TimeUnit.MILLISECONDS.toNanos(INLINE_WINDOW_MS)) {
            return false;
        }
        long size = record.value() == null ? 0 : record.value().length;
        return bufferAvailable != null && bufferAvailable.metricValue() instanceof Number room
                && room.doubleValue() > BUFFER_MARGIN + size;
    }

    void stop(@Observes @Priority(ShutdownOrder.PRODUCER) ShutdownEvent event) {
        if (sendThread != null) {
            sendThread.shutdown();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producerMetrics.close();
        }
    }

    /** Too many records wait for the send thread already. */
    public static class SendQueueFullException extends RuntimeException {

        SendQueueFullException() {
            super(MAX_QUEUED + " records wait to be sent already", null, false, false);
        }
    }
}
