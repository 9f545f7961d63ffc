package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the service role consumes (its mode decided, its consumers started) and while a consumer fails
 * (it restarts with backoff meanwhile). An app that is away does not make the sidecar unready: the replica stops
 * taking requests then (leaves its consumer group, or closes its share consumers), and the caller role still works.
 */
@Readiness
@ApplicationScoped
public class ServiceReadiness implements HealthCheck {

    @Inject
    ServiceConsumption consumption;

    @Inject
    ServedOperations served;

    @Override
    public HealthCheckResponse call() {
        if (served.isEmpty()) {
            return HealthCheckResponse.named("service").up().withData("serves", false).build();
        }
        boolean healthy = consumption.isHealthy();
        return HealthCheckResponse.named("service").status(healthy)
                .withData("mode", consumption.mode().map(ServiceConsumption::label).orElse("undecided"))
                .withData("error", healthy ? "" : consumption.problem()).build();
    }
}
