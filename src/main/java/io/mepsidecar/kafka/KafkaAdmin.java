package io.mepsidecar.kafka;

import io.mepsidecar.lifecycle.ShutdownOrder;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;

import java.time.Duration;

/** The sidecar's one Kafka admin client, for health checks and topic look-ups; its calls never block a caller. */
@ApplicationScoped
public class KafkaAdmin {

    @Inject
    KafkaClientSettings settings;

    private Admin admin;

    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(settings.admin());
        }
        return admin;
    }

    /** The principal the sidecar's clients log in as, for messages ({@link KafkaAccess#principal}). */
    public String principal() {
        return KafkaAccess.principal(settings.admin());
    }

    synchronized void stop(@Observes @Priority(ShutdownOrder.PRODUCER + 1) ShutdownEvent event) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
