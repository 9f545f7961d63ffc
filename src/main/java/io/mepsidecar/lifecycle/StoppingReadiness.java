package io.mepsidecar.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready from SIGTERM on, so Kubernetes stops routing to the pod while the sidecar finishes its work. */
@Readiness
@ApplicationScoped
public class StoppingReadiness implements HealthCheck {

    @Inject
    GracefulStop stop;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("stopping").status(!stop.isStopping()).build();
    }
}
