package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.memory.BoundedCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * Results of asynchronous calls that completed, kept for {@code mep.caller.result-ttl} so that
 * {@code GET /v1/replies/{id}} can fetch them; at most {@code mep.caller.max-results} of them and
 * {@code mep.caller.max-results-bytes} bytes. In memory: a restart loses them.
 */
@ApplicationScoped
public class CallResults {

    /** Bytes a result holds besides its body: id, content type, bookkeeping. */
    private static final int OVERHEAD_BYTES = 256;

    @Inject
    SidecarConfig config;

    @Inject
    MeterRegistry registry;

    private BoundedCache<Reply> results;

    @PostConstruct
    void createCache() {
        results = new BoundedCache<>(config.caller().maxResults(), config.caller().maxResultsBytes().asLongValue(),
                CallResults::weight, (id, reply) -> config.caller().resultTtl());
    }

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("mep.caller.results.kept", results, BoundedCache::size)
                .description("Results of asynchronous calls kept for GET /v1/replies/{id}").register(registry);
        Gauge.builder("mep.caller.results.kept.bytes", results, BoundedCache::bytes)
                .description("Bytes of the results kept (at most mep.caller.max-results-bytes)").register(registry);
    }

    /**
     * Keeps the result of a call that was answered 202. The bounds are checked when a call is accepted
     * ({@link #isFull()}); a result of a call accepted earlier is kept even if others filled the room meanwhile, since
     * its caller was promised it. The bounds can so be passed by at most the results of the calls in flight.
     */
    public void store(String correlationId, Reply reply) {
        results.put(correlationId, reply);
    }

    public Optional<Reply> find(String correlationId) {
        return Optional.ofNullable(results.get(correlationId));
    }

    /** True when as many results, or bytes of results, are kept as the bounds allow: new async calls get 429. */
    public boolean isFull() {
        return !results.hasRoomFor(OVERHEAD_BYTES);
    }

    public boolean remove(String correlationId) {
        return results.remove(correlationId);
    }

    private static int weight(Reply reply) {
        return OVERHEAD_BYTES + reply.body().length
                + (reply.contentType() == null ? 0 : 2 * reply.contentType().length());
    }
}
