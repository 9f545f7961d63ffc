package io.mepsidecar.kafka;

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

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one producer of the sidecar, shared by both roles. {@link KafkaProducer#send} may block while it fetches
 * metadata or waits for buffer space, so it is called on a dedicated thread, never on an HTTP event loop. It is
 * created at start-up, not by the first call.
 */
@Startup
@ApplicationScoped
public class KafkaSender {

    @Inject
    KafkaClientSettings settings;

    private Producer<String, byte[]> producer;
    private ExecutorService sendThread;

    @Inject
    MeterRegistry meterRegistry;

    private KafkaClientMetrics producerMetrics;

    @PostConstruct
    void start() {
        producer = new KafkaProducer<>(settings.producer());
        producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(meterRegistry);
        sendThread = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "mep-kafka-send");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Completes when the broker acknowledged the record (acks=all), exceptionally when it could not be published. */
    public CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> acknowledged = new CompletableFuture<>();
        try {
            sendThread.execute(() -> sendNow(record, acknowledged));
        } catch (RejectedExecutionException e) {
            acknowledged.completeExceptionally(new IllegalStateException("the sidecar is shutting down", e));
        }
        return acknowledged;
    }

    private void sendNow(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> acknowledged) {
        if (acknowledged.isDone()) {
            return; // the caller gave up waiting (and was answered 503): do not publish behind its back
        }
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    acknowledged.complete(metadata);
                } else {
                    acknowledged.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            acknowledged.completeExceptionally(e);
        }
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
}
