package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the request consumer fails (it restarts with backoff meanwhile). An app that is away does not make
 * the sidecar unready: the replica has left its group then, and the caller role still works.
 */
@Readiness
@ApplicationScoped
public class RequestListenerReadiness implements HealthCheck {

    @Inject
    RequestListener listener;

    @Inject
    ServedOperations served;

    @Override
    public HealthCheckResponse call() {
        if (served.isEmpty()) {
            return HealthCheckResponse.named("request-listener").up().withData("serves", false).build();
        }
        return HealthCheckResponse.named("request-listener").status(listener.isHealthy())
                .withData("error", listener.isHealthy() ? "" : listener.lastFailure()).build();
    }
}
