package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Results of asynchronous calls that completed, kept for {@code mep.caller.result-ttl} so that
 * {@code GET /v1/replies/{id}} can fetch them. In memory: a restart loses them.
 */
@ApplicationScoped
public class CallResults {

    private static final long SWEEP_INTERVAL_MS = 1_000;

    private record Stored(Reply reply, Instant expires) {
    }

    private final Map<String, Stored> results = new ConcurrentHashMap<>();

    @Inject
    SidecarConfig config;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    void onStart(@Observes StartupEvent event) {
        vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> removeExpired(Instant.now()));
        Gauge.builder("mep.caller.results.kept", results, Map::size)
                .description("Results of asynchronous calls kept for GET /v1/replies/{id}").register(registry);
    }

    public void store(String correlationId, Reply reply) {
        results.put(correlationId, new Stored(reply, Instant.now().plus(config.caller().resultTtl())));
    }

    public Optional<Reply> find(String correlationId) {
        Stored stored = results.get(correlationId);
        return stored == null || stored.expires().isBefore(Instant.now()) ? Optional.empty()
                : Optional.of(stored.reply());
    }

    /** True when as many results are kept as {@code mep.caller.max-results} allows. */
    public boolean isFull() {
        return results.size() >= config.caller().maxResults();
    }

    public boolean remove(String correlationId) {
        return results.remove(correlationId) != null;
    }

    private void removeExpired(Instant now) {
        results.values().removeIf(stored -> stored.expires().isBefore(now));
    }
}
