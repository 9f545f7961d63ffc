package io.mepsidecar.injector;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sidecar one pod gets: the config's values with the pod's annotations applied. Optional values are left to the
 * sidecar's own defaults when absent (no env is set for them).
 *
 * @param calls operations the app may call ({@code MEP_CALLS}), names joined by commas; empty: the whole contract
 * @param tokenSecret the Secret with the keys {@code api-token} and {@code app-token}; empty: no tokens
 * @param otlpEndpoint the OTLP/HTTP traces URL of the sidecar's spans ({@code MEP_TRACING_OTLP_ENDPOINT}); empty: no
 *     spans
 * @param warnings about annotations that were ignored (unknown names under the prefix)
 */
public record SidecarSpec(Optional<String> appName, Optional<String> serves, Optional<String> calls,
        Optional<String> tokenSecret, int appPort, Optional<String> appHealthPath,
        Optional<Integer> maxConcurrency, Optional<String> consumption, String contractConfigMap,
        Map<String, String> requests, Map<String, String> limits, String logLevel, String shutdownGrace,
        Duration shutdownGraceDuration, InjectionMode mode, String bootstrapServers, Optional<String> otlpEndpoint,
        List<String> warnings) {

    public SidecarSpec {
        requests = Map.copyOf(requests);
        limits = Map.copyOf(limits);
        warnings = List.copyOf(warnings);
    }
}
