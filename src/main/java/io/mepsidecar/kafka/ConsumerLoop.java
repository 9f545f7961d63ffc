package io.mepsidecar.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A consumer on its own thread that survives failures: anything thrown, an {@link Error} included, is logged, closes
 * the consumer and starts a new one after a backoff (1 s, doubling up to 30 s, back to 1 s once a consumer polled
 * again). While it fails it reports itself unhealthy, so readiness shows a consumer that does not run. A refusal of
 * the broker (an ACL missing, a login failing) is logged as one line that names what is missing, once until the
 * failure changes or the consumer recovers, not as a stack trace at every restart. Only the loop thread touches the
 * consumer.
 */
public abstract class ConsumerLoop {

    /** First wait before a failed consumer is started again; each failure in a row doubles it. */
    public static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /** Longest wait before a failed consumer is started again. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Logger log = Logger.getLogger(getClass());

    /** Kafka's own consumer metrics are bound here for as long as each consumer lives. */
    @Inject
    MeterRegistry meterRegistry;

    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Released to cut a {@link #pause} short: by a stop, or by a subclass with news for the loop. */
    private final Semaphore wakes = new Semaphore(0);
    private volatile boolean running;
    private volatile boolean healthy;
    private volatile String lastFailure = "";
    /** The refusal logged last, so a consumer refused again and again says so once; loop thread only. */
    private String lastRefusal = "";
    private volatile Consumer<String, byte[]> consumer;
    private Duration backoff = FIRST_BACKOFF;
    private Counter restarts;
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

    /**
     * Starts the loop thread.
     *
     * @param name names the thread ({@code mep-<name>-listener}) and the {@code consumer} label of
     *             {@code mep_consumer_restarts_total}
     */
    public synchronized void start(String name) {
        restarts = restartsCounter(meterRegistry, name);
        running = true;
        thread = new Thread(this::run, "mep-" + name + "-listener");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        stopped.countDown();
        wakes.release();
        wakeUp();
        Thread loop = thread;
        if (loop != null) {
            try {
                loop.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Interrupts a poll in progress, so that the loop thread looks at its state again. Any thread. */
    protected void wakeUp() {
        Consumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    protected boolean isRunning() {
        return running;
    }

    /** False from a failure until a new consumer polled again; false before the first consumer polled. */
    public boolean isHealthy() {
        return healthy;
    }

    /** The last failure, for readiness details; empty when none. */
    public String lastFailure() {
        return lastFailure;
    }

    /** Cuts a {@link #pause} (a backoff included) short, from any thread; the consumer is not touched. */
    protected void interruptPause() {
        wakes.release();
    }

    /**
     * The loop thread: waits up to {@code timeout}, or until the loop is stopped or {@link #interruptPause}d; false
     * when stopped.
     */
    protected boolean pause(Duration timeout) {
        try {
            wakes.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
            wakes.drainPermits();
            return stopped.getCount() > 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        }
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
                    healthy = true;
                    backoff = FIRST_BACKOFF;
                    lastRefusal = "";
                }
                closing(created);
            } catch (Throwable e) { // an Error too: the loop must outlive anything one record or client throws
                healthy = false;
                restarts.increment();
                Optional<String> refused = KafkaAccess.explain(e, AclOperation.READ,
                        KafkaAccess.principal(consumerSettings()));
                lastFailure = refused.orElseGet(() -> describe(e));
                if (refused.isEmpty()) {
                    log.errorf(e, "consumer loop %s failed, restarting in %s: %s", thread.getName(), backoff,
                            lastFailure);
                } else if (!lastFailure.equals(lastRefusal)) {
                    log.errorf("consumer loop %s refused by Kafka, trying again with backoff (up to %s): %s",
                            thread.getName(), MAX_BACKOFF, lastFailure);
                }
                lastRefusal = refused.orElse("");
                pause(backoff);
                backoff = doubled(backoff, MAX_BACKOFF);
            } finally {
                consumer = null;
            }
        }
    }

    /** {@code mep_consumer_restarts_total{consumer=name}}: consumers closed after a failure and started again. */
    public static Counter restartsCounter(MeterRegistry registry, String name) {
        return Counter.builder("mep.consumer.restarts").tag("consumer", name)
                .description("Consumers closed after a failure and started again").register(registry);
    }

    /** {@code wait} doubled, but not beyond {@code max}. */
    public static Duration doubled(Duration wait, Duration max) {
        Duration twice = wait.multipliedBy(2);
        return twice.compareTo(max) > 0 ? max : twice;
    }

    /** What a failure of the consumer means, for the log and the readiness details; its text by default. */
    protected String describe(Throwable failure) {
        return failure.toString();
    }

    private void pollSafely(Consumer<String, byte[]> created) {
        try {
            pollOnce(created);
        } catch (WakeupException e) {
            // woken to re-check state or to stop
        } catch (Throwable e) {
            try {
                closing(created);
            } catch (Throwable closingFailure) {
                e.addSuppressed(closingFailure);
            }
            throw e;
        }
    }
}
