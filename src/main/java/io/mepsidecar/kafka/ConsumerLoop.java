package io.mepsidecar.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A consumer on its own thread that survives failures: any error closes the consumer, waits a moment and starts a
 * new one, so a broker outage or a bug in one record never leaves a dead consumer behind.
 */
public abstract class ConsumerLoop {

    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

    private final Logger log = Logger.getLogger(getClass());

    /** Kafka's own consumer metrics are bound here for as long as each consumer lives. */
    @Inject
    MeterRegistry meterRegistry;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private volatile Consumer<String, byte[]> consumer;
    private Thread thread;

    /** Settings of the consumer to create. */
    protected abstract Map<String, Object> consumerSettings();

    /** Subscribes or assigns; runs on the loop thread each time a consumer is (re)created. */
    protected abstract void open(Consumer<String, byte[]> consumer);

    /** One iteration: poll and process; runs on the loop thread. */
    protected abstract void pollOnce(Consumer<String, byte[]> consumer);

    /** Called on the loop thread when the consumer is about to be closed, after an error or at shutdown. */
    protected void closing(Consumer<String, byte[]> consumer) {
    }

    public synchronized void start(String threadName) {
        running = true;
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        stopped.countDown();
        Consumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        Thread loop = thread;
        if (loop != null) {
            try {
                loop.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    protected boolean isRunning() {
        return running;
    }

    private void run() {
        while (running) {
            try (Consumer<String, byte[]> created = new KafkaConsumer<>(consumerSettings());
                    KafkaClientMetrics clientMetrics = new KafkaClientMetrics(created)) {
                clientMetrics.bindTo(meterRegistry);
                consumer = created;
                open(created);
                while (running) {
                    pollSafely(created);
                }
                closing(created);
                consumer = null;
            } catch (RuntimeException e) {
                log.warnf("consumer loop %s failed, restarting in %s: %s", thread.getName(), RETRY_BACKOFF, e.toString());
                log.debug("consumer loop failure", e);
                awaitBackoff();
            } finally {
                consumer = null;
            }
        }
    }

    private void pollSafely(Consumer<String, byte[]> created) {
        try {
            pollOnce(created);
        } catch (WakeupException e) {
            // woken to re-check state or to stop
        } catch (RuntimeException e) {
            try {
                closing(created);
            } catch (RuntimeException closingFailure) {
                e.addSuppressed(closingFailure);
            }
            throw e;
        }
    }

    private void awaitBackoff() {
        try {
            stopped.await(RETRY_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
