package io.mepsidecar.lifecycle;

import io.mepsidecar.config.SidecarConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The sidecar's stop, the way Kubernetes stops pods. On SIGTERM Quarkus fires {@link ShutdownDelayInitiatedEvent}
 * first, while the HTTP server and every client still work, and waits for this observer: readiness goes down at once
 * ({@link #isStopping()}), new calls are refused, and every {@link Draining} part finishes its work in flight within
 * {@code mep.shutdown.grace}. Only then does Quarkus stop the HTTP server and fire {@code ShutdownEvent}, which closes
 * the consumers, the app client and the producer ({@link ShutdownOrder}).
 */
@ApplicationScoped
public class GracefulStop {

    private static final Logger LOG = Logger.getLogger(GracefulStop.class);
    /** Past the grace period, the parts get this long to give up what they still hold. */
    private static final Duration HAND_OVER = Duration.ofSeconds(2);

    @Inject
    SidecarConfig config;

    @Inject
    @Any
    Instance<Draining> parts;

    private volatile boolean stopping;

    /** True from SIGTERM on: readiness is down and new calls are refused. */
    public boolean isStopping() {
        return stopping;
    }

    void onStop(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
        Duration grace = config.shutdown().grace();
        Instant deadline = Instant.now().plus(grace);
        LOG.infof("stopping: no new calls, finishing those in flight within %s", grace);
        CompletableFuture<?>[] drains = parts.stream().map(part -> part.drain(deadline))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(drains).get(grace.plus(HAND_OVER).toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("stopped taking and finishing work");
        } catch (TimeoutException e) {
            LOG.warnf("not every part finished within %s; the rest stops now", grace.plus(HAND_OVER));
        } catch (ExecutionException e) {
            LOG.errorf(e.getCause(), "finishing the work in flight failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
