package io.mepsidecar.observability;

import io.mepsidecar.app.LocalApp;
import io.mepsidecar.config.SidecarConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the local app's health endpoint ({@code mep.app-health-path}) answers 2xx; always up when no path is
 * set. {@link LocalApp} checks it every {@code mep.health.check-interval}, so the probe itself never waits on the app.
 */
@Readiness
@ApplicationScoped
public class AppReadiness implements HealthCheck {

    @Inject
    SidecarConfig config;

    @Inject
    LocalApp app;

    @Override
    public HealthCheckResponse call() {
        if (config.appHealthPath().isEmpty()) {
            return HealthCheckResponse.named("app").up().withData("checked", false).build();
        }
        return HealthCheckResponse.named("app").status(app.isHealthy())
                .withData("url", app.url(config.appHealthPath().get()))
                .withData("last", app.lastHealth()).build();
    }
}
