package io.mepsidecar.service;

import io.mepsidecar.app.LocalApp;
import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.kafka.ConsumerLoop;
import io.mepsidecar.kafka.KafkaAdmin;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.lifecycle.Draining;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.mepsidecar.observability.LogThrottle;
import io.mepsidecar.observability.SidecarMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The service role on a Kafka share group (KIP-932): {@code mep.service.max-concurrency} {@link ShareSlot}s, each
 * serving one request at a time with a share consumer of its own, all in the app's share group. Any number of
 * replicas share any number of partitions; a slow request holds up only its own slot; a request given back goes to
 * any consumer of the group at once, with no rebalance. The backlog is the share group's, read every
 * {@value #BACKLOG_INTERVAL_MS} ms with the admin client (it counts requests acquired and not yet acknowledged too).
 *
 * <p>Every slot is a member of the group, and the broker caps a group's members ({@code group.share.max.size}, 200 by
 * default): a sidecar starts at most that many slots, and slots refused because the replicas together fill the group
 * wait for room, counted out of {@code mep_service_share_consumers}.
 */
@ApplicationScoped
public class ShareRequestListener implements Draining {

    private static final Logger LOG = Logger.getLogger(ShareRequestListener.class);
    private static final long BACKLOG_INTERVAL_MS = 5_000;
    /** How long the slots get to give back what they hold and close their consumers once the sidecar stops. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    @Inject
    KafkaClientSettings settings;

    @Inject
    SidecarConfig config;

    @Inject
    SidecarIdentity identity;

    @Inject
    ServedOperations served;

    @Inject
    RequestHandler handler;

    @Inject
    LocalApp app;

    @Inject
    SidecarMetrics metrics;

    @Inject
    KafkaAdmin kafka;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    private final List<ShareSlot> slots = new CopyOnWriteArrayList<>();
    private volatile boolean started;
    private volatile int lastDelivery;
    private long backlogTimer = -1;
    /** At most one warning a minute while slots wait for room in a full share group. */
    private final LogThrottle groupFullWarnings = new LogThrottle(Duration.ofMinutes(1));
    private volatile int groupMaxSize;
    private Counter restarts;
    private Counter renewals;

    /** Starts the slots; called once by {@link ServiceConsumption}, with the broker's share-group limits. */
    void start(ShareGroupLimits limits) {
        int brokerDeliveryLimit = limits.deliveryCountLimit();
        groupMaxSize = limits.maxSize();
        lastDelivery = Math.min(config.service().maxDeliveries(), brokerDeliveryLimit);
        restarts = ConsumerLoop.restartsCounter(registry, "request");
        renewals = Counter.builder("mep.service.lock.renewals")
                .description("Acquisition locks of share-group requests renewed while their app worked on them")
                .register(registry);
        if (config.service().maxDeliveries() > brokerDeliveryLimit) {
            LOG.warnf("mep.service.max-deliveries is %d, but the broker hands a share-group record out at most %d"
                    + " times (group.share.delivery.count.limit): requests are dead-lettered after %d deliveries",
                    config.service().maxDeliveries(), brokerDeliveryLimit, brokerDeliveryLimit);
        }
        int slotCount = Math.min(config.service().maxConcurrency(), limits.maxSize());
        if (slotCount < config.service().maxConcurrency()) {
            LOG.warnf("mep.service.max-concurrency is %d, but a share group holds at most %d members"
                    + " (group.share.max.size): this replica serves at most %d requests at once",
                    config.service().maxConcurrency(), limits.maxSize(), slotCount);
        }
        Gauge.builder("mep.service.share.consumers", slots, all -> all.stream().filter(ShareSlot::isMember).count())
                .description("Share consumers of this replica in its share group now: one per request it can serve"
                        + " at once; fewer while the app is away or the group is full")
                .register(registry);
        for (int i = 0; i < slotCount; i++) {
            ShareSlot slot = new ShareSlot(i, this);
            slots.add(slot);
            slot.start();
        }
        started = true;
        backlogTimer = vertx.setPeriodic(BACKLOG_INTERVAL_MS, id -> measureBacklog());
    }

    /** From SIGTERM on: every slot finishes its request (else gives it back) by the deadline and closes. */
    @Override
    public CompletableFuture<Void> drain(Instant deadline) {
        if (!started) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(slots.stream().map(slot -> slot.drain(deadline))
                .toArray(CompletableFuture[]::new));
    }

    void onStop(@Observes @Priority(ShutdownOrder.LISTENERS) ShutdownEvent event) {
        if (started) {
            vertx.cancelTimer(backlogTimer);
            slots.forEach(ShareSlot::stop);
            Instant deadline = Instant.now().plus(STOP_TIMEOUT);
            slots.forEach(slot -> slot.awaitStop(deadline));
        }
    }

    /** True once started and while no slot fails. */
    boolean isHealthy() {
        return started && slots.stream().allMatch(ShareSlot::isHealthy);
    }

    String lastFailure() {
        return slots.stream().map(ShareSlot::lastFailure).filter(f -> !f.isEmpty()).findFirst().orElse("");
    }

    void restarted() {
        restarts.increment();
    }

    /** A slot was refused because the group has its maximum of members; it tries again after {@code backoff}. */
    void groupFull(int slot, Duration backoff) {
        if (groupFullWarnings.due()) {
            LOG.warnf("share group %s is full (the broker's group.share.max.size is %d members): share slot %d waits"
                    + " for room and tries again in %s (logged at most once a minute). Replicas times"
                    + " mep.service.max-concurrency must stay within it", identity.appName(), groupMaxSize, slot,
                    backoff);
        }
    }

    /** The delivery after which the broker hands a record out no more. */
    int lastDelivery() {
        return lastDelivery;
    }

    void renewed() {
        renewals.increment();
    }

    /** The share group's backlog per served topic: records not yet acknowledged (acquired ones included). */
    private void measureBacklog() {
        String group = identity.appName();
        kafka.admin().listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                .partitionsToOffsetInfo(group).whenComplete((offsets, error) -> {
                    if (error != null) {
                        served.all().forEach(s -> metrics.consumerLag(s.operation().name())
                                .set(SidecarMetrics.LAG_UNKNOWN));
                        return;
                    }
                    Map<String, Long> byTopic = new HashMap<>();
                    offsets.forEach((partition, info) -> {
                        if (info != null) {
                            byTopic.merge(partition.topic(), info.lag().orElse(0L), Long::sum);
                        }
                    });
                    served.all().forEach(s -> metrics.consumerLag(s.operation().name())
                            .set(byTopic.getOrDefault(s.operation().topic(), 0L)));
                });
    }
}
