package io.mepsidecar.state;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Down until the app's state topic was read to where it ended at start-up: before that, a sidecar would not know the
 * calls it accepted before a restart nor the requests its app's replicas already served.
 */
@Readiness
@ApplicationScoped
public class StateReadiness implements HealthCheck {

    @Inject
    StateStore state;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("state").status(state.isRebuilt()).withData("topic", state.topic());
        if (!state.isHealthy() && !state.lastFailure().isEmpty()) {
            response.withData("failure", state.lastFailure());
        }
        return response.build();
    }
}
