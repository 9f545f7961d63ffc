package io.mepsidecar.observability;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.kafka.KafkaAccess;
import io.mepsidecar.kafka.KafkaAdmin;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.acl.AclOperation;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;


/**
 * Ready while the Kafka cluster answers: checked every {@code mep.health.check-interval} without blocking, so the
 * probe itself is instant and a broker that comes back makes the sidecar ready again without a restart.
 */
@Readiness
@ApplicationScoped
public class BrokerReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(BrokerReadiness.class);

    @Inject
    KafkaClientSettings settings;

    @Inject
    KafkaAdmin kafka;

    @Inject
    SidecarConfig config;

    @Inject
    Vertx vertx;

    private volatile boolean reachable;
    private volatile String lastError = "not checked yet";

    void onStart(@Observes StartupEvent event) {
        check();
        vertx.setPeriodic(config.health().checkInterval().toMillis(), id -> check());
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka-broker").status(reachable)
                .withData("bootstrap.servers", String.valueOf(settings.admin().get("bootstrap.servers")))
                .withData("error", reachable ? "" : lastError)
                .build();
    }

    private void check() {
        int timeout = (int) Math.min(config.health().checkInterval().toMillis(), 3_000);
        kafka.admin().describeCluster(new DescribeClusterOptions().timeoutMs(timeout)).clusterId()
                .whenComplete((clusterId, error) -> {
                    // a refused login is said once, plainly: it does not pass by itself
                    String refused = error == null ? null : KafkaAccess.explain(error, AclOperation.DESCRIBE,
                            KafkaAccess.principal(settings.admin())).orElse(null);
                    if (error == null && !reachable) {
                        LOG.infof("Kafka cluster %s reachable", clusterId);
                    } else if (refused != null && !refused.equals(lastError)) {
                        LOG.error(refused);
                    } else if (error != null && reachable) {
                        LOG.warnf("Kafka cluster unreachable: %s", error.toString());
                    }
                    reachable = error == null;
                    lastError = error == null ? "" : refused != null ? refused : error.toString();
                });
    }
}
