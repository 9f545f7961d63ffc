package io.mepsidecar.observability;

import io.mepsidecar.app.LocalApp;
import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.Contract;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sidecar's own meters (README: Metrics). Labels come from the contract only (operation, role, outcome), never
 * from a correlation id, so their number is bounded by the contract.
 */
@ApplicationScoped
public class SidecarMetrics {

    /** Value of a consumer lag gauge while no consumer measures it. */
    public static final long LAG_UNKNOWN = Long.MIN_VALUE;

    /** Label value for a reply whose operation is not in this sidecar's contract. */
    public static final String UNKNOWN_OPERATION = "unknown";

    /** Histogram buckets for ms-scale calls: 1 ms to 30 s. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    @Inject
    MeterRegistry registry;

    @Inject
    Contract contract;

    @Inject
    ServedOperations served;

    @Inject
    SidecarConfig config;

    @Inject
    LocalApp app;

    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> consumerLag = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicInteger appConcurrency = new AtomicInteger();

    /** Registers every gauge at start-up, so a scrape shows 0 rather than nothing before the first call. */
    void onStart(@Observes StartupEvent event) {
        contract.operations().forEach(op -> {
            inFlight(Role.CALLER, op.name());
            unmatchedReplies(op.name());
            for (InvalidReplyReason reason : InvalidReplyReason.values()) {
                invalidReplies(op.name(), reason);
            }
        });
        served.all().forEach(s -> {
            inFlight(Role.SERVICE, s.operation().name());
            consumerLag(s.operation().name());
        });
        Gauge.builder("mep.caller.in.flight.limit", config.caller(), c -> c.maxInFlight())
                .description("Most calls this sidecar has in flight at once (mep.caller.max-in-flight)")
                .register(registry);
        if (!served.isEmpty()) {
            served.all().forEach(s -> deadLetterFailures(s.operation().name()));
            rebalances();
            partitionsGivenUp();
            publishRetries();
            Gauge.builder("mep.service.app.available", app, a -> a.isAvailable() ? 1 : 0)
                    .description("1 while the local app takes requests (accepts connections, health endpoint 2xx);"
                            + " at 0 this replica has left its consumer group").register(registry);
            Gauge.builder("mep.service.app.concurrency", appConcurrency, AtomicInteger::get)
                    .description("Requests at the serving app right now").register(registry);
            Gauge.builder("mep.service.app.concurrency.limit", config.service(), s -> s.maxConcurrency())
                    .description("Most requests handed to the app at once (mep.service.max-concurrency)")
                    .register(registry);
        }
    }

    /** Calls of this operation and role in flight right now; increment when one starts, decrement when it ends. */
    public AtomicInteger inFlight(Role role, String operation) {
        return inFlight.computeIfAbsent(role.label() + "/" + operation, key -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder("mep.calls.in.flight", count, AtomicInteger::get)
                    .description("Calls in flight: waiting for their reply or, one-way, for the broker (caller); at the"
                            + " app (service)")
                    .tag("operation", operation).tag("role", role.label())
                    .register(registry);
            return count;
        });
    }

    /** A call ended with this outcome after {@code duration}; null duration for calls that never started. */
    public void callEnded(Role role, String operation, Outcome outcome, Duration duration) {
        counters.computeIfAbsent(role.label() + "/" + operation + "/" + outcome.label(), key -> Counter
                .builder("mep.calls").description("Calls by outcome")
                .tag("operation", operation).tag("role", role.label()).tag("outcome", outcome.label())
                .register(registry)).increment();
        if (duration != null) {
            timer("mep.call.duration", "Whole call: as the caller's app sees it (caller), record to reply (service)",
                    role, operation).record(duration);
        }
    }

    /** Caller role: the call minus the time inside the serving app, i.e. the Kafka path and both sidecars. */
    public void brokerTime(String operation, Duration duration) {
        timer("mep.call.broker.duration", "Call time outside the serving app", Role.CALLER, operation)
                .record(duration);
    }

    /** Service role: the time the serving app took to answer. */
    public void appTime(String operation, Duration duration) {
        timer("mep.call.app.duration", "Time inside the serving app", Role.SERVICE, operation).record(duration);
    }

    /** Requests at the app right now (service role). */
    public AtomicInteger appConcurrency() {
        return appConcurrency;
    }

    /**
     * Records on the served operation's topic not yet read by this replica; {@link #LAG_UNKNOWN} while no consumer
     * measures it (the gauge then reads NaN rather than a frozen number).
     */
    public AtomicLong consumerLag(String operation) {
        return consumerLag.computeIfAbsent(operation, key -> {
            AtomicLong lag = new AtomicLong();
            Gauge.builder("mep.service.consumer.lag", lag, l -> l.get() == LAG_UNKNOWN ? Double.NaN : l.get())
                    .description("Records of the request topic not yet read by this replica's partitions;"
                            + " NaN while its consumer is not running")
                    .tag("operation", operation).register(registry);
            return lag;
        });
    }

    /** A record could not be put on its dead-letter topic for a reason that does not pass, and was dropped. */
    public void deadLetterFailed(String operation) {
        deadLetterFailures(operation).increment();
    }

    private Counter deadLetterFailures(String operation) {
        return counters.computeIfAbsent("dead-letter-failures/" + operation, key -> Counter
                .builder("mep.service.dead.letter.failures")
                .description("Records that could not be dead-lettered and were dropped (logged with their offset)")
                .tag("operation", operation).register(registry));
    }

    /** Partitions this replica gave up in a rebalance (revoked or lost). */
    public void partitionsGivenUp(int count) {
        partitionsGivenUp().increment(count);
    }

    private Counter partitionsGivenUp() {
        return counters.computeIfAbsent("partitions-given-up", key -> Counter
                .builder("mep.service.partitions.given.up")
                .description("Partitions this replica gave up in rebalances (revoked or lost)").register(registry));
    }

    /** A reply or dead letter failed to publish for a reason that may pass, and is tried again in place. */
    public void publishRetried() {
        publishRetries().increment();
    }

    private Counter publishRetries() {
        return counters.computeIfAbsent("publish-retries", key -> Counter.builder("mep.service.publish.retries")
                .description("Publishes of replies and dead letters tried again after a failure that may pass")
                .register(registry));
    }

    /** A rebalance moved partitions to or from this replica (or it left or lost them). */
    public void rebalanced() {
        rebalances().increment();
    }

    private Counter rebalances() {
        return counters.computeIfAbsent("rebalances", key -> Counter.builder("mep.service.rebalances")
                .description("Rebalances that moved partitions to or from this replica").register(registry));
    }

    /** A reply arrived that no call waits for: late, abandoned, duplicated or not ours. */
    public void unmatchedReply(String operation) {
        unmatchedReplies(operation).increment();
    }

    /** A record was read from the app's reply topic (whatever became of it). */
    public void replyFetched() {
        counters.computeIfAbsent("fetched", key -> Counter.builder("mep.caller.replies.fetched")
                .description("Records this replica read from the app's reply topic")
                .register(registry)).increment();
    }

    /**
     * A reply read here was used: it completed a call of this replica, or one that another replica (or this one,
     * before a restart) answered 202.
     */
    public void replyMatched(String operation) {
        counters.computeIfAbsent("matched/" + operation, key -> Counter.builder("mep.caller.replies.matched")
                .description("Replies read here that completed a call")
                .tag("operation", operation).register(registry)).increment();
    }

    /** A call with an {@code Idempotency-Key} already taken joined the call the key started. */
    public void idempotentRetry(String operation) {
        counters.computeIfAbsent("idempotent/" + operation, key -> Counter.builder("mep.caller.idempotent.retries")
                .description("Calls whose Idempotency-Key was taken already: answered by the first call's result")
                .tag("operation", operation).register(registry)).increment();
    }

    /** A reply read here for a call of another replica was passed on to it through the state topic. */
    public void replyForwarded(String operation) {
        counters.computeIfAbsent("forwarded/" + operation, key -> Counter.builder("mep.caller.replies.forwarded")
                .description("Replies read here for a call of another replica, passed on through the state topic")
                .tag("operation", operation).register(registry)).increment();
    }

    /** A reply arrived that could not be used as it came; the call it answers got a problem instead. */
    public void invalidReply(String operation, InvalidReplyReason reason) {
        invalidReplies(operation, reason).increment();
    }

    private Counter invalidReplies(String operation, InvalidReplyReason reason) {
        return counters.computeIfAbsent("invalid/" + operation + "/" + reason.label(), key -> Counter
                .builder("mep.caller.replies.invalid")
                .description("Replies that could not be used as they came, by reason")
                .tag("operation", operation).tag("reason", reason.label())
                .register(registry));
    }

    private Counter unmatchedReplies(String operation) {
        return counters.computeIfAbsent("unmatched/" + operation, key -> Counter
                .builder("mep.caller.replies.unmatched")
                .description("Replies dropped because no call waits for them")
                .tag("operation", operation)
                .register(registry));
    }

    private Timer timer(String name, String description, Role role, String operation) {
        return timers.computeIfAbsent(name + "/" + role.label() + "/" + operation, key -> {
            Timer.Builder builder = Timer.builder(name).description(description).tag("operation", operation)
                    .serviceLevelObjectives(BUCKETS);
            if (name.equals("mep.call.duration")) {
                builder.tag("role", role.label());
            }
            return builder.register(registry);
        });
    }
}
