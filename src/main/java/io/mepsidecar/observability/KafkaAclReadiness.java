package io.mepsidecar.observability;

import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.kafka.KafkaAccess;
import io.mepsidecar.kafka.KafkaAdmin;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.state.StateStore;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Down while this sidecar's principal lacks an ACL its roles need on a topic (docs/security.md): READ and WRITE on
 * the state topic; READ on the reply topic when the contract has request-reply operations; READ on each served topic
 * and WRITE on its dead-letter topic. Asked of the cluster every {@code mep.health.check-interval} with one
 * {@code describeTopics} that returns the operations the principal may do, so an ACL granted later makes the sidecar
 * ready without a restart. Each ACL found missing is logged once, as {@link KafkaAccess} words it. A topic that does
 * not exist is not an ACL problem and left to the parts that create or wait for it. Groups are not asked here: their
 * consumers report a missing READ on a group as soon as they try to join.
 *
 * <p>WRITE on the request topics of the contract is not required: an app calls only some of the operations of a
 * shared contract. The operations this principal may not publish to are logged once; their calls fail with 503.
 */
@Readiness
@ApplicationScoped
public class KafkaAclReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(KafkaAclReadiness.class);
    private static final String NOT_CHECKED = "not checked yet";

    @Inject
    KafkaAdmin kafka;

    @Inject
    KafkaClientSettings settings;

    @Inject
    SidecarConfig config;

    @Inject
    SidecarIdentity identity;

    @Inject
    Contract contract;

    @Inject
    ServedOperations served;

    @Inject
    StateStore state;

    @Inject
    Vertx vertx;

    private String principal;
    /** Operations needed per topic, in the order they are reported. */
    private Map<String, Set<AclOperation>> needed;
    private volatile List<String> missing = List.of(NOT_CHECKED);
    private Set<String> logged = Set.of();
    private boolean callsLogged;

    void onStart(@Observes StartupEvent event) {
        principal = KafkaAccess.principal(settings.admin());
        needed = neededAcls();
        check();
        vertx.setPeriodic(config.health().checkInterval().toMillis(), id -> check());
    }

    @Override
    public HealthCheckResponse call() {
        List<String> now = missing;
        return HealthCheckResponse.named("kafka-acls").status(now.isEmpty())
                .withData("principal", String.valueOf(principal))
                .withData("missing", String.join("; ", now))
                .build();
    }

    private Map<String, Set<AclOperation>> neededAcls() {
        Map<String, Set<AclOperation>> acls = new LinkedHashMap<>();
        acls.computeIfAbsent(state.topic(), t -> EnumSet.noneOf(AclOperation.class))
                .addAll(List.of(AclOperation.READ, AclOperation.WRITE));
        if (contract.operations().stream().anyMatch(Operation::expectsReply)) {
            acls.computeIfAbsent(identity.replyTopic(), t -> EnumSet.noneOf(AclOperation.class))
                    .add(AclOperation.READ);
        }
        served.all().forEach(s -> {
            acls.computeIfAbsent(s.operation().topic(), t -> EnumSet.noneOf(AclOperation.class))
                    .add(AclOperation.READ);
            acls.computeIfAbsent(s.operation().deadLetterTopic(), t -> EnumSet.noneOf(AclOperation.class))
                    .add(AclOperation.WRITE);
        });
        return acls;
    }

    /** Runs on a Vert.x thread; what it learns arrives on the admin client's thread. */
    private void check() {
        Set<String> topics = new TreeSet<>(needed.keySet());
        contract.operations().forEach(op -> topics.add(op.topic()));
        Map<String, KafkaFuture<TopicDescription>> answers;
        try {
            answers = kafka.admin().describeTopics(topics, new DescribeTopicsOptions()
                    .includeAuthorizedOperations(true).timeoutMs(5_000)).topicNameValues();
        } catch (RuntimeException e) {
            unanswered("cannot ask the cluster: " + e);
            return;
        }
        KafkaFuture.allOf(answers.values().toArray(KafkaFuture[]::new)).whenComplete((all, error) -> {
            List<String> lacking = new ArrayList<>();
            Set<String> notCallable = new TreeSet<>();
            for (Map.Entry<String, KafkaFuture<TopicDescription>> answer : answers.entrySet()) {
                Set<AclOperation> granted = granted(answer.getValue());
                if (granted == null) {
                    continue; // the topic does not exist, or the broker does not tell: nothing to say here
                }
                if (granted.isEmpty() && !failure(answer.getValue()).isEmpty()) {
                    unanswered(failure(answer.getValue()));
                    return; // not a per-topic answer: the login failed, the cluster is away
                }
                for (AclOperation operation : needed.getOrDefault(answer.getKey(), Set.of())) {
                    if (!granted.contains(operation)) {
                        lacking.add(KafkaAccess.notAuthorized(operation, "topic " + answer.getKey(), principal));
                    }
                }
                if (!granted.contains(AclOperation.WRITE)) {
                    contract.operations().stream().filter(op -> op.topic().equals(answer.getKey()))
                            .forEach(op -> notCallable.add(op.name()));
                }
            }
            update(lacking);
            logCalls(notCallable);
        });
    }

    /**
     * The operations the principal may do on the topic; empty when it may do none (or the cluster could not be
     * asked, see {@link #failure}); null when the topic does not exist or the broker did not say.
     */
    private static Set<AclOperation> granted(KafkaFuture<TopicDescription> answer) {
        try {
            return answer.get().authorizedOperations();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        }
    }

    /** Why the cluster could not be asked about the topic; empty when it answered, refusals of the topic included. */
    private String failure(KafkaFuture<TopicDescription> answer) {
        try {
            answer.get();
            return "";
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicAuthorizationException) {
                return "";
            }
            return KafkaAccess.explain(e.getCause(), AclOperation.DESCRIBE, principal)
                    .orElse("cannot ask the cluster: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * The cluster could not be asked: said in the readiness details, not logged (the broker's check logs that, and
     * a refused login too).
     */
    private synchronized void unanswered(String why) {
        missing = List.of(why);
    }

    private synchronized void update(List<String> now) {
        Set<String> fresh = now.stream().filter(line -> !logged.contains(line)).collect(Collectors.toSet());
        now.stream().filter(fresh::contains).forEach(line -> LOG.error(line));
        if (now.isEmpty() && !logged.isEmpty()) {
            LOG.infof("the ACLs this sidecar needs are granted to %s now", principal);
        }
        logged = Set.copyOf(now);
        missing = List.copyOf(now);
    }

    private synchronized void logCalls(Set<String> notCallable) {
        if (!callsLogged && !notCallable.isEmpty()) {
            LOG.infof("%s may not publish to the topics of operations %s (no WRITE ACL): calls of them fail with 503"
                    + " - %s", principal, notCallable, KafkaAccess.SEE_DOCS);
        }
        callsLogged = true;
    }
}
