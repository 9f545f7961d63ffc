package io.mepsidecar.injector;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The injector's config file ({@code MEP_INJECTOR_CONFIG}), rendered by the chart from {@code values.sidecar}: what
 * every injected sidecar gets unless the pod's annotations say otherwise. Read by {@link InjectorConfigReader}.
 *
 * @param tokenSecret the Secret (keys {@code api-token}, {@code app-token}) of pods without a
 *     {@code mep-sidecar.io/token-secret} annotation; empty: no tokens
 * @param tracing the sidecar's own spans
 * @param shutdownGrace as written (it becomes {@code MEP_SHUTDOWN_GRACE}); {@link #shutdownGraceDuration()} parsed
 * @param env extra environment of every sidecar, in file order
 */
public record InjectorConfig(String image, String imagePullPolicy, boolean nativeSidecar, String contractConfigMap,
        Optional<String> tokenSecret, Kafka kafka, Tracing tracing, int appPort, String logLevel, String shutdownGrace,
        int preStopSleepSeconds, boolean prometheusAnnotations, Resources resources, Map<String, String> env) {

    public InjectorConfig {
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    public Duration shutdownGraceDuration() {
        return ValueChecks.duration(shutdownGrace);
    }

    /** @param envFromSecret a Secret whose keys become env of the sidecar, when present */
    public record Kafka(String bootstrapServers, Optional<String> envFromSecret) {
    }

    /**
     * @param otlpEndpoint the OTLP/HTTP traces URL ({@code MEP_TRACING_OTLP_ENDPOINT}) of pods without a
     *     {@code mep-sidecar.io/otlp-endpoint} annotation; empty: no spans
     */
    public record Tracing(Optional<String> otlpEndpoint) {
    }

    /** Requests and limits by resource name ({@code cpu}, {@code memory}), as quantities. */
    public record Resources(Map<String, String> requests, Map<String, String> limits) {

        public Resources {
            requests = Collections.unmodifiableMap(new TreeMap<>(requests));
            limits = Collections.unmodifiableMap(new TreeMap<>(limits));
        }
    }
}
