package io.mepsidecar.observability;

import io.mepsidecar.config.AppUrls;
import io.mepsidecar.config.SidecarConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready while the local app's health endpoint ({@code mep.app-health-path}) answers 2xx; always up when no path is
 * set. Checked every {@code mep.health.check-interval}, so the probe itself never waits on the app.
 */
@Readiness
@ApplicationScoped
public class AppReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(AppReadiness.class);
    private static final long CHECK_TIMEOUT_MS = 3_000;

    @Inject
    SidecarConfig config;

    @Inject
    Vertx vertx;

    private HttpClient client;
    private volatile boolean healthy;
    private volatile String lastResult = "not checked yet";

    void onStart(@Observes StartupEvent event) {
        if (config.appHealthPath().isEmpty()) {
            return;
        }
        client = vertx.createHttpClient();
        check();
        vertx.setPeriodic(config.health().checkInterval().toMillis(), id -> check());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (client != null) {
            client.close();
        }
    }

    @Override
    public HealthCheckResponse call() {
        if (config.appHealthPath().isEmpty()) {
            return HealthCheckResponse.named("app").up().withData("checked", false).build();
        }
        return HealthCheckResponse.named("app").status(healthy).withData("url", target())
                .withData("last", lastResult).build();
    }

    private void check() {
        client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(target())
                        .setConnectTimeout(CHECK_TIMEOUT_MS).setIdleTimeout(CHECK_TIMEOUT_MS))
                .compose(request -> request.send())
                .onComplete(result -> {
                    int status = result.succeeded() ? result.result().statusCode() : 0;
                    if (result.succeeded()) {
                        result.result().end();
                    }
                    boolean now = status >= 200 && status < 300;
                    if (now != healthy) {
                        LOG.infof("app health %s: %s", target(), now ? "up" : "down");
                    }
                    healthy = now;
                    lastResult = result.succeeded() ? "status " + status : result.cause().toString();
                });
    }

    private String target() {
        return AppUrls.resolve(config.appUrl(), config.appHealthPath().orElse(""));
    }
}
