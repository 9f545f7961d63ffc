package io.mepsidecar.injector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The injector's counters, all registered at start-up so that a scrape shows 0 rather than nothing:
 * {@code mep_injector_injected_total{mode}} and {@code mep_injector_skipped_total{reason}}.
 */
public final class InjectorMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<InjectionMode, Counter> injected = new EnumMap<>(InjectionMode.class);
    private final Map<SkipReason, Counter> skipped = new EnumMap<>(SkipReason.class);

    public InjectorMetrics() {
        for (InjectionMode mode : InjectionMode.values()) {
            injected.put(mode, Counter.builder("mep.injector.injected").tag("mode", mode.label())
                    .description("Pods the sidecar was injected into, by mode").register(registry));
        }
        for (SkipReason reason : SkipReason.values()) {
            skipped.put(reason, Counter.builder("mep.injector.skipped").tag("reason", reason.label())
                    .description("Admission requests answered without injecting, by reason").register(registry));
        }
    }

    public void record(InjectionDecision decision) {
        decision.mode().ifPresent(mode -> injected.get(mode).increment());
        decision.skipReason().ifPresent(this::skipped);
    }

    public void skipped(SkipReason reason) {
        skipped.get(reason).increment();
    }

    /** The Prometheus text format (0.0.4). */
    public String scrape() {
        return registry.scrape();
    }
}
