package io.mepsidecar.app;

import io.mepsidecar.config.AppUrls;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.mepsidecar.security.Tokens;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;

/**
 * The pod's own app as the sidecar sees it: the one HTTP client toward it (requests of served operations, completion
 * callbacks, health checks), and whether it can be used. The app is <em>available</em> while it accepts connections
 * and, when {@code mep.app-health-path} is set, its health endpoint answers 2xx. A refused connection makes it
 * unavailable at once; a probe every {@value #PROBE_INTERVAL_MS} ms (the health endpoint, else a TCP connect) makes
 * it available again. Vert.x event-loop threads call in here; the state is read from any thread.
 */
@ApplicationScoped
public class LocalApp {

    private static final Logger LOG = Logger.getLogger(LocalApp.class);
    private static final long PROBE_INTERVAL_MS = 1_000;
    private static final long CHECK_TIMEOUT_MS = 3_000;
    /** Connections beyond the service's concurrency, for callbacks and health checks. */
    private static final int EXTRA_CONNECTIONS = 8;

    @Inject
    Vertx vertx;

    @Inject
    SidecarConfig config;

    private HttpClient client;
    private NetClient probeClient;
    private volatile boolean accepting = true;
    private volatile boolean healthy = true;
    private volatile String lastHealth = "not checked yet";
    private volatile boolean probing;
    private volatile boolean closed;
    /** {@code Bearer <mep.app-token>}, or null when no token is configured. */
    private String appAuthorization;
    private long healthTimer = -1;

    @PostConstruct
    void createClients() {
        appAuthorization = Tokens.configured(config.appToken()).map(Tokens::bearer).orElse(null);
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(config.service().maxConcurrency() + EXTRA_CONNECTIONS)
                        .setMaxWaitQueueSize(-1));
        probeClient = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) CHECK_TIMEOUT_MS));
    }

    void onStart(@Observes StartupEvent event) {
        if (config.appHealthPath().isPresent()) {
            healthy = false;
            checkHealth();
            healthTimer = vertx.setPeriodic(config.health().checkInterval().toMillis(), id -> checkHealth());
        }
    }

    void onStop(@Observes @Priority(ShutdownOrder.APP_CLIENT) ShutdownEvent event) {
        closed = true;
        vertx.cancelTimer(healthTimer);
        if (client != null) {
            client.close();
            probeClient.close();
        }
    }

    /** The client for every request to the app; its pool holds the service's concurrency and a few more. */
    public HttpClient client() {
        return client;
    }

    /**
     * Options for a request to the app at {@code path}: with {@code mep.app-token} set, they carry
     * {@code Authorization: Bearer <token>}, so the app can tell its sidecar from any other process of the pod.
     */
    public RequestOptions request(HttpMethod method, String absoluteUri) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(absoluteUri);
        if (appAuthorization != null) {
            options.putHeader(Tokens.HEADER, appAuthorization);
        }
        return options;
    }

    /** The absolute URL of a path on the app. */
    public String url(String path) {
        return AppUrls.resolve(config.appUrl(), path);
    }

    /** True while the app accepts connections and (with a health path) reports itself healthy. */
    public boolean isAvailable() {
        return accepting && healthy;
    }

    /** True once the health endpoint answered 2xx at its last check; true when no health path is set. */
    public boolean isHealthy() {
        return healthy;
    }

    /** What the last health check saw, for the readiness details. */
    public String lastHealth() {
        return lastHealth;
    }

    /** A connection to the app could not be established: it counts as unavailable until a probe gets through. */
    public void refusedConnection(Throwable cause) {
        if (accepting) {
            LOG.warnf("the app at %s refuses connections (%s); requests are handed back until it accepts again",
                    config.appUrl(), cause.toString());
        }
        accepting = false;
        if (!probing) {
            probing = true;
            vertx.setTimer(PROBE_INTERVAL_MS, id -> probe());
        }
    }

    private void probe() {
        if (closed) {
            return;
        }
        URI app = config.appUrl();
        int port = app.getPort() > 0 ? app.getPort() : "https".equals(app.getScheme()) ? 443 : 80;
        probeClient.connect(port, app.getHost()).onComplete(result -> {
            if (result.succeeded()) {
                result.result().close();
                probing = false;
                accepting = true;
                LOG.infof("the app at %s accepts connections again", config.appUrl());
            } else {
                vertx.setTimer(PROBE_INTERVAL_MS, id -> probe());
            }
        });
    }

    private void checkHealth() {
        if (closed) {
            return;
        }
        String target = url(config.appHealthPath().orElse(""));
        client.request(request(HttpMethod.GET, target)
                        .setConnectTimeout(CHECK_TIMEOUT_MS).setIdleTimeout(CHECK_TIMEOUT_MS))
                .compose(request -> request.send())
                .onComplete(result -> {
                    int status = result.succeeded() ? result.result().statusCode() : 0;
                    if (result.succeeded()) {
                        result.result().end();
                    }
                    boolean now = status >= 200 && status < 300;
                    if (now != healthy) {
                        LOG.infof("app health %s: %s", target, now ? "up" : "down");
                    }
                    healthy = now;
                    lastHealth = result.succeeded() ? "status " + status : result.cause().toString();
                });
    }
}
