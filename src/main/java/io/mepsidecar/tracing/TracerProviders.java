package io.mepsidecar.tracing;

import io.mepsidecar.config.SidecarIdentity;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.net.URI;
import java.time.Duration;

/**
 * Builds the OpenTelemetry tracer provider of a sidecar that makes its own spans: a batch span processor (short
 * schedule delay, bounded queue) in front of an OTLP/HTTP protobuf exporter, and the resource that says which sidecar
 * the spans come from. Nothing global is set: the provider is the sidecar's alone.
 */
public final class TracerProviders {

    /** {@code service.name} of every sidecar, whatever its app. */
    public static final String SERVICE_NAME = "mep-sidecar";
    /** Finished spans waiting for export at most; beyond, new ones are dropped (and counted by the SDK). */
    static final int MAX_QUEUED_SPANS = 2048;
    /** Spans in one export request at most. */
    static final int MAX_BATCH = 512;
    /** Longest one export may take. */
    static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);

    static final AttributeKey<String> SERVICE_NAME_KEY = AttributeKey.stringKey("service.name");
    static final AttributeKey<String> SERVICE_NAMESPACE = AttributeKey.stringKey("service.namespace");
    static final AttributeKey<String> SERVICE_INSTANCE = AttributeKey.stringKey("service.instance.id");
    /** The app the sidecar works for ({@code mep.app-name}). */
    static final AttributeKey<String> APP_NAME = AttributeKey.stringKey("mep.app.name");

    private TracerProviders() {
    }

    /** A provider exporting to the OTLP/HTTP traces endpoint {@code endpoint} (the full URL). */
    public static SdkTracerProvider otlp(URI endpoint, Duration exportDelay, SidecarIdentity identity) {
        SpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint.toString())
                .setTimeout(EXPORT_TIMEOUT)
                .setMeterProvider(MeterProvider::noop)
                .build();
        return withExporter(exporter, exportDelay, identity);
    }

    /** A provider exporting through {@code exporter} in batches, at least every {@code exportDelay}. */
    public static SdkTracerProvider withExporter(SpanExporter exporter, Duration exportDelay,
            SidecarIdentity identity) {
        BatchSpanProcessor batches = BatchSpanProcessor.builder(exporter)
                .setScheduleDelay(exportDelay)
                .setMaxQueueSize(MAX_QUEUED_SPANS)
                .setMaxExportBatchSize(MAX_BATCH)
                .setExporterTimeout(EXPORT_TIMEOUT)
                .setMeterProvider(MeterProvider.noop())
                .build();
        return SdkTracerProvider.builder()
                .setResource(resource(identity))
                .addSpanProcessor(batches)
                .build();
    }

    /**
     * {@code service.name} {@value #SERVICE_NAME}, {@code service.namespace} and {@code mep.app.name} the app's name,
     * {@code service.instance.id} the replica's id ({@code mep.instance-id}, else the pod name).
     */
    static Resource resource(SidecarIdentity identity) {
        return Resource.create(Attributes.of(
                SERVICE_NAME_KEY, SERVICE_NAME,
                SERVICE_NAMESPACE, identity.appName(),
                SERVICE_INSTANCE, identity.instanceId(),
                APP_NAME, identity.appName()));
    }
}
