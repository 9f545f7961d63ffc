package io.mepsidecar.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** {@code mep_ready}: 1 while every readiness check is up, so Prometheus can alert on a sidecar that is not ready. */
@ApplicationScoped
public class ReadinessGauge {

    @Inject
    @Readiness
    @Any
    Instance<HealthCheck> checks;

    @Inject
    MeterRegistry registry;

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("mep.ready", this, ReadinessGauge::ready)
                .description("1 while the sidecar is ready (broker reachable, replies readable, app healthy), else 0")
                .register(registry);
    }

    private double ready() {
        for (HealthCheck check : checks) {
            if (check.call().getStatus() != HealthCheckResponse.Status.UP) {
                return 0;
            }
        }
        return 1;
    }
}
