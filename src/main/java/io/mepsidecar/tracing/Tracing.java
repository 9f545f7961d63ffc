package io.mepsidecar.tracing;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar's own spans, opt-in ({@code mep.tracing.otlp-endpoint}). Unset, no OpenTelemetry SDK is built and
 * every span is {@link SidecarSpan#untraced(TraceContext) untraced}: the W3C trace context goes on as it came. Set,
 * the spans of {@link SpanFactory} are exported there over OTLP/HTTP, and the last ones are exported when the
 * sidecar stops, after the Kafka producer is closed (so that the spans its last acknowledgements ended are in).
 */
@Startup
@ApplicationScoped
public class Tracing {

    private static final Logger LOG = Logger.getLogger(Tracing.class);
    private static final String INSTRUMENTATION = "io.mepsidecar";
    private static final Duration SHUTDOWN = Duration.ofSeconds(10);

    @Inject
    SidecarConfig config;

    @Inject
    SidecarIdentity identity;

    private SdkTracerProvider provider;
    private SpanFactory spans;

    @PostConstruct
    void start() {
        URI endpoint = config.tracing().otlpEndpoint().orElse(null);
        if (endpoint == null) {
            return;
        }
        provider = TracerProviders.otlp(endpoint, config.tracing().exportDelay(), identity);
        spans = new SpanFactory(provider.get(INSTRUMENTATION));
        LOG.infof("spans are exported to %s (OTLP/HTTP)", endpoint);
    }

    /** True when spans are made and exported. */
    public boolean enabled() {
        return spans != null;
    }

    /** The PRODUCER span of publishing a request record; untraced when tracing is off. */
    public SidecarSpan publishing(String topic, String operation, String correlationId, TraceContext trace) {
        return spans == null ? SidecarSpan.untraced(trace) : spans.producer(topic, operation, correlationId, trace);
    }

    /** The CONSUMER span of serving a request record; untraced when tracing is off. */
    public SidecarSpan processing(String topic, int partition, long offset, String operation, String correlationId,
            TraceContext trace) {
        return spans == null ? SidecarSpan.untraced(trace)
                : spans.consumer(topic, partition, offset, identity.appName(), operation, correlationId, trace);
    }

    void stop(@Observes @Priority(ShutdownOrder.TRACING) ShutdownEvent event) {
        if (provider != null && !shutDown(provider, SHUTDOWN)) {
            LOG.warnf("the last spans were not all exported within %s", SHUTDOWN);
        }
    }

    /**
     * Exports what {@code provider} still holds and stops it, waiting at most {@code bound}: a collector that is down
     * (the exporter tries again with backoff) holds up the sidecar's stop no longer. False when not all was exported.
     */
    static boolean shutDown(SdkTracerProvider provider, Duration bound) {
        return provider.shutdown().join(bound.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    }
}
