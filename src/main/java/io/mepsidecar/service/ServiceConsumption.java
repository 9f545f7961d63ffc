package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarConfig.Consumption;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.kafka.KafkaAccess;
import io.mepsidecar.kafka.KafkaAdmin;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.kafka.TopicDirectory;
import io.mepsidecar.kafka.TopicInitializer;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Starts the service role once it knows how to consume ({@code mep.service.consumption}): share groups
 * ({@link ShareRequestListener}) or consumer groups ({@link RequestListener}). With {@code auto} it asks the cluster,
 * on a thread of its own, until the cluster answers (replicas must not decide differently because one of them could
 * not ask): an app whose group exists keeps its kind, so a rolling update never splits the replicas between a
 * consumer group and a share group of one name, which the broker refuses; a new group is a share group when the
 * cluster has them ({@code share.version} finalized). It also creates the served topics and
 * their dead-letter topics, and for share groups sets the group to start at the earliest record, so requests
 * published before the first replica started are served.
 */
@ApplicationScoped
public class ServiceConsumption {

    private static final Logger LOG = Logger.getLogger(ServiceConsumption.class);
    private static final long ASK_TIMEOUT_MS = 10_000;
    private static final long RETRY_MS = 2_000;
    private static final String DELIVERY_LIMIT = "group.share.delivery.count.limit";
    private static final String MAX_SIZE = "group.share.max.size";

    @Inject
    SidecarConfig config;

    @Inject
    SidecarIdentity identity;

    @Inject
    ServedOperations served;

    @Inject
    KafkaAdmin kafka;

    @Inject
    KafkaClientSettings settings;

    @Inject
    TopicDirectory topics;

    @Inject
    RequestListener consumerGroup;

    @Inject
    ShareRequestListener shareGroup;

    @Inject
    MeterRegistry registry;

    @Inject
    io.mepsidecar.state.StateStore state;

    private static final long STATE_WAIT_MS = 200;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Consumption mode;
    /** Why the set-up has not finished yet, when a step of it failed; empty else. */
    private volatile String setupFailure = "";

    void onStart(@Observes StartupEvent event) {
        if (served.isEmpty()) {
            return;
        }
        Thread setup = new Thread(this::setUp, "mep-service-setup");
        setup.setDaemon(true);
        setup.start();
    }

    /** The mode in use, once decided; empty before (and when this pod serves nothing). */
    public Optional<Consumption> mode() {
        return Optional.ofNullable(mode);
    }

    /** True while the service role consumes normally; false before it started and while its consumer fails. */
    public boolean isHealthy() {
        Consumption current = mode;
        return current == Consumption.SHARE_GROUP ? shareGroup.isHealthy()
                : current == Consumption.CONSUMER_GROUP && consumerGroup.isHealthy();
    }

    /** What keeps it from being healthy, for the readiness details. */
    String problem() {
        Consumption current = mode;
        if (current == null) {
            if (!setupFailure.isEmpty()) {
                return setupFailure;
            }
            return state.isRebuilt() ? "deciding the consumption mode (waiting for the cluster)"
                    : "reading the state topic " + state.topic();
        }
        return current == Consumption.SHARE_GROUP ? shareGroup.lastFailure() : consumerGroup.lastFailure();
    }

    void stopSetup(@Observes @Priority(ShutdownOrder.LISTENERS - 1) ShutdownEvent event) {
        stopped.countDown();
    }

    /**
     * Runs {@code step} until it does not throw, every 2 s, logging each failure (a refusal by Kafka once, until it
     * changes); stops with the sidecar.
     */
    private void untilDone(String what, Runnable step) throws InterruptedException {
        while (true) {
            try {
                step.run();
                setupFailure = "";
                return;
            } catch (RuntimeException e) {
                failed(what, e, AclOperation.CREATE);
                if (stopped.await(RETRY_MS, TimeUnit.MILLISECONDS)) {
                    throw new InterruptedException("stopped before the service role started");
                }
            }
        }
    }

    /** A step of the set-up failed: kept for readiness and logged, a refusal by Kafka once until it changes. */
    private void failed(String what, Throwable e, AclOperation topicOperation) {
        String refused = KafkaAccess.explain(e, topicOperation, KafkaAccess.principal(settings.admin())).orElse(null);
        if (refused == null) {
            LOG.warnf("cannot %s yet, trying again: %s", what, e.getMessage() == null ? e.toString() : e.getMessage());
            setupFailure = "cannot " + what + ": " + e;
        } else {
            if (!refused.equals(setupFailure)) {
                LOG.errorf("cannot %s, trying again every %d s: %s", what, RETRY_MS / 1000, refused);
            }
            setupFailure = refused;
        }
    }

    private void setUp() {
        try {
            Consumption decided = decide();
            untilDone("create the served topics and their dead-letter topics", this::createTopicsIfMissing);
            if (decided == Consumption.SHARE_GROUP) {
                startAtTheEarliestRecord();
            }
            LOG.infof("serving %s in %s mode", served.all().stream()
                    .map(s -> s.operation().name() + " -> " + s.target()).collect(Collectors.joining(", ")),
                    label(decided));
            Gauge.builder("mep.service.consumption.info", () -> 1).tag("mode", label(decided))
                    .description("1, labelled with how the service role consumes: share-group or consumer-group")
                    .register(registry);
            // A request delivered again must find what the app's replicas did with it before it is served.
            while (!state.isRebuilt()) {
                if (stopped.await(STATE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
            mode = decided;
            if (decided == Consumption.SHARE_GROUP) {
                shareGroup.start(shareGroupLimits());
            } else {
                consumerGroup.start();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Consumption decide() throws InterruptedException {
        Consumption configured = config.service().consumption();
        if (configured != Consumption.AUTO) {
            return configured;
        }
        while (true) {
            try {
                FeatureMetadata features = kafka.admin().describeFeatures().featureMetadata()
                        .get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                FinalizedVersionRange share = features.finalizedFeatures().get("share.version");
                boolean available = share != null && share.maxVersionLevel() >= 1;
                Optional<GroupType> existing = existingGroup();
                if (existing.isPresent() && (existing.get() != GroupType.SHARE || available)) {
                    Consumption kept = existing.get() == GroupType.SHARE ? Consumption.SHARE_GROUP
                            : Consumption.CONSUMER_GROUP;
                    setupFailure = "";
                    LOG.infof("mep.service.consumption=auto: the group %s exists as a %s; keeping it (to change,"
                            + " stop every replica and delete the group)", identity.appName(), label(kept));
                    return kept;
                }
                setupFailure = "";
                LOG.infof("mep.service.consumption=auto: the cluster %s share groups", available ? "has" : "has no");
                return available ? Consumption.SHARE_GROUP : Consumption.CONSUMER_GROUP;
            } catch (ExecutionException | TimeoutException e) {
                failed("ask the cluster whether it has share groups", e, AclOperation.DESCRIBE);
                if (stopped.await(RETRY_MS, TimeUnit.MILLISECONDS)) {
                    throw new InterruptedException("stopped before the consumption mode was decided");
                }
            }
        }
    }

    /**
     * The kind of the app's group, if it exists: {@link GroupType#SHARE}, or {@link GroupType#CLASSIC} /
     * {@link GroupType#CONSUMER} for a consumer group. Empty when there is none, or when this sidecar may not see it.
     */
    private Optional<GroupType> existingGroup() throws ExecutionException, TimeoutException, InterruptedException {
        Collection<GroupListing> groups = kafka.admin().listGroups().all().get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return groups.stream().filter(g -> g.groupId().equals(identity.appName())).findFirst()
                .flatMap(GroupListing::type)
                .filter(type -> type == GroupType.SHARE || type == GroupType.CLASSIC || type == GroupType.CONSUMER);
    }

    /** Requests published before the share group first existed are served (Kafka's default is the latest). */
    private void startAtTheEarliestRecord() throws InterruptedException {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, identity.appName());
        AlterConfigOp earliest = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                AlterConfigOp.OpType.SET);
        try {
            kafka.admin().incrementalAlterConfigs(Map.of(group, List.of(earliest))).all()
                    .get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("could not set share.auto.offset.reset=earliest on share group %s (requests published before"
                    + " it first existed are not served): %s", identity.appName(), refusedOr(e,
                            AclOperation.ALTER_CONFIGS, "group " + identity.appName()));
        }
    }

    /** The broker's share-group limits; Kafka's defaults for those it does not tell. */
    private ShareGroupLimits shareGroupLimits() throws InterruptedException {
        ShareGroupLimits defaults = ShareGroupLimits.KAFKA_DEFAULTS;
        try {
            Collection<Node> nodes = kafka.admin().describeCluster().nodes()
                    .get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Config configs = null;
            if (!nodes.isEmpty()) {
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                        nodes.iterator().next().idString());
                configs = kafka.admin().describeConfigs(List.of(broker)).all()
                        .get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS).get(broker);
            }
            return new ShareGroupLimits(brokerValue(configs, DELIVERY_LIMIT, defaults.deliveryCountLimit()),
                    brokerValue(configs, MAX_SIZE, defaults.maxSize()));
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("cannot read the broker's share-group limits, taking Kafka's defaults (%s=%d, %s=%d): %s",
                    DELIVERY_LIMIT, defaults.deliveryCountLimit(), MAX_SIZE, defaults.maxSize(),
                    refusedOr(e, AclOperation.DESCRIBE_CONFIGS, "the cluster"));
            return defaults;
        }
    }

    /** {@code not authorized: <operation> on <resource> ...} when Kafka refused the call, else the failure's text. */
    private String refusedOr(Exception failure, AclOperation operation, String resource) {
        return failure.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException
                ? KafkaAccess.notAuthorized(operation, resource, KafkaAccess.principal(settings.admin()))
                : failure.toString();
    }

    private static int brokerValue(Config configs, String name, int kafkaDefault) {
        ConfigEntry entry = configs == null ? null : configs.get(name);
        if (entry != null && entry.value() != null) {
            try {
                return Integer.parseInt(entry.value());
            } catch (NumberFormatException e) {
                LOG.warnf("the broker's %s is %s, not a number", name, entry.value());
            }
        }
        LOG.warnf("the broker does not tell its %s; taking Kafka's default, %d", name, kafkaDefault);
        return kafkaDefault;
    }

    private void createTopicsIfMissing() {
        List<String> needed = served.all().stream()
                .flatMap(s -> Stream.of(s.operation().topic(), s.operation().deadLetterTopic()))
                .distinct().collect(Collectors.toList());
        if (config.topics().create()) {
            TopicInitializer.createMissing(settings.admin(), needed.stream()
                    .collect(Collectors.toMap(topic -> topic, topic -> Optional.empty())));
            needed.forEach(topics::known);
        }
    }

    /**
     * What to do when the app's group exists as the other kind: the broker refuses a share consumer in a consumer
     * group ({@code GroupIdNotFoundException}) and a consumer in a share group
     * ({@code InconsistentGroupProtocolException}).
     */
    static String otherKind(String group, Consumption existing) {
        return "the group " + group + " exists as a " + label(existing) + ": other replicas of this app consume in "
                + label(existing) + " mode. Set mep.service.consumption alike on every replica (auto keeps the kind"
                + " of an existing group), or stop every replica and delete the group to change its kind";
    }

    static String label(Consumption mode) {
        return mode == Consumption.SHARE_GROUP ? "share-group" : "consumer-group";
    }
}
