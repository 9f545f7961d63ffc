package io.mepsidecar.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mepsidecar.testing.OtlpReceiver.ExportedSpan;
import io.mepsidecar.testing.Traces;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image as built by {@code ./mvnw -Pimage package}: its configuration (entrypoint, user, ports), and the image run
 * with runc as a pod runs it (read-only root, a tmpfs at /tmp, the contract mounted, user 65532) against a real broker,
 * with its spans on: it exports them to a stand-in collector ({@link NamespacedOtlpReceiver}), which proves that the
 * image's JRE has what the OTLP exporter needs. Broker, collector and container share one network namespace made for
 * the test, so the sidecar reaches both on 127.0.0.1; {@link PodNetworkIT} puts them in pods of their own.
 */
class ImageIT {

    private static final Path CONTRACT = Path.of("src/test/resources/image-contract.yaml");
    private static final String READY_URL = "http://127.0.0.1:9000/q/health/ready";
    private static final String OTLP_PORT = "4318";

    private static NetworkNamespace pod;
    private static Process broker;
    private static Process collector;
    private static Path collectorLog;
    private static RuncContainer sidecar;

    @BeforeAll
    static void startSidecarContainer() {
        Commands.requireRootAndTools();
        pod = NetworkNamespace.create("mep-image");
        Path brokerLog = ImageUnderTest.workDirectory().resolve(pod.name() + "-broker.log");
        broker = pod.startJava(brokerLog, NamespacedBroker.class.getName(), "127.0.0.1", "9092",
                "image.quote", "image-it.replies");
        collectorLog = ImageUnderTest.workDirectory().resolve(pod.name() + "-otlp.log");
        collector = pod.startJava(collectorLog, NamespacedOtlpReceiver.class.getName(), OTLP_PORT);
        Commands.awaitOutput(broker, brokerLog, NamespacedBroker.READY, Duration.ofSeconds(60));
        Commands.awaitOutput(collector, collectorLog, NamespacedOtlpReceiver.READY, Duration.ofSeconds(30));
        sidecar = RuncContainer.builder("mep-image").networkNamespace(pod.path()).contract(CONTRACT)
                .env("MEP_APP_NAME", "image-it")
                .env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
                .env("MEP_TRACING_OTLP_ENDPOINT", "http://127.0.0.1:" + OTLP_PORT + "/v1/traces")
                .env("MEP_TRACING_EXPORT_DELAY", "200ms")
                .start();
    }

    @AfterAll
    static void stopAll() {
        if (sidecar != null) {
            sidecar.close();
        }
        Commands.stop(collector);
        Commands.stop(broker);
        if (pod != null) {
            pod.close();
        }
    }

    @Test
    void configRunsTheJarAsNonrootOnTheApiAndManagementPorts() throws Exception {
        JsonNode config = new ObjectMapper().readTree(
                Commands.check("skopeo", "inspect", "--config", "oci:" + ImageUnderTest.ociReference()))
                .path("config");

        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(arg -> entrypoint.add(arg.asText()));
        assertThat(entrypoint).startsWith("/opt/java/bin/java").endsWith("-jar", "/deployments/quarkus-run.jar")
                .contains("-Djava.io.tmpdir=/tmp", "-XX:+ExitOnOutOfMemoryError",
                        "-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        assertThat(config.path("Cmd").isMissingNode() || config.path("Cmd").isNull()).as("no CMD").isTrue();
        assertThat(config.path("User").asText()).isEqualTo("65532:65532");
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/deployments");
        List<String> ports = new ArrayList<>();
        config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).containsExactlyInAnyOrder("7070/tcp", "9000/tcp");
        assertThat(config.path("Labels").path("org.opencontainers.image.version").asText())
                .isEqualTo(System.getProperty("image.version", "0.1.0-SNAPSHOT"));
    }

    @Test
    void becomesReadyAgainstARealBrokerAsUser65532() throws Exception {
        awaitReady();

        String status = Files.readString(Path.of("/proc", Long.toString(sidecar.pid()), "status"));
        assertThat(status).containsPattern("(?m)^Uid:\\s+65532\\s+65532\\s+65532\\s+65532$")
                .containsPattern("(?m)^Gid:\\s+65532\\s+65532\\s+65532\\s+65532$");
        assertThat(sidecar.exec("/bin/wget", "-q", "-O", "-", READY_URL).output()).contains("\"UP\"");
    }

    @Test
    void exportsTheSpanOfACallToTheCollector() {
        awaitReady();
        String traceparent = Traces.traceparent();
        String traceId = traceparent.substring(3, 35);

        // nothing serves quote here: the call ends in a reply timeout, after its request was published
        Commands.Result call = Commands.run(pod.exec("curl", "-sS", "--max-time", "15", "-o", "/dev/null",
                "-w", "%{http_code}", "-H", "Content-Type: application/json", "-H", "traceparent: " + traceparent,
                "-H", "Mep-Timeout: 500ms", "--data", "{\"symbol\":\"ACME\"}",
                "http://127.0.0.1:7070/v1/invoke/quote"));
        assertThat(call.output()).as("curl: %s", call.output()).isEqualTo("504");

        ExportedSpan send = Awaitility.await("the sidecar's span in " + collectorLog + "; sidecar log " + sidecar.log())
                .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> NamespacedOtlpReceiver.spansIn(collectorLog).stream()
                        .filter(span -> span.traceId().equals(traceId)).findFirst(), Optional::isPresent)
                .orElseThrow();
        assertThat(send.name()).isEqualTo("send image.quote");
        assertThat(send.kind()).isEqualTo(ExportedSpan.PRODUCER);
        assertThat(send.parentSpanId()).as("a child of the calling app's span")
                .isEqualTo(traceparent.substring(36, 52));
    }

    @Test
    void runsTheInjectorFromTheSameImage() throws Exception {
        // what the chart's injector Deployment mounts: config.yaml and the TLS Secret
        Path files = Files.createDirectories(ImageUnderTest.workDirectory().resolve(pod.name() + "-injector"));
        Files.writeString(files.resolve("config.yaml"), "image: ghcr.io/mep-sidecar/mep-sidecar:test\n");
        Commands.check("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=mep-sidecar-injector", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", files.resolve("tls.key").toString(), "-out", files.resolve("tls.crt").toString());
        // as the chart mounts the Secret: mode 0440, group 65532 (the pod's fsGroup)
        for (String file : List.of("tls.key", "tls.crt", "config.yaml")) {
            Commands.check("chown", "0:65532", files.resolve(file).toString());
            Files.setPosixFilePermissions(files.resolve(file), PosixFilePermissions.fromString("r--r-----"));
        }
        RuncContainer injector = RuncContainer.builder("mep-injector").networkNamespace(pod.path())
                .mount(files, "/etc/mep-injector").args("injector")
                .env("MEP_INJECTOR_CONFIG", "/etc/mep-injector/config.yaml")
                .env("MEP_INJECTOR_TLS_CERT", "/etc/mep-injector/tls.crt")
                .env("MEP_INJECTOR_TLS_KEY", "/etc/mep-injector/tls.key")
                .env("MEP_INJECTOR_MANAGEMENT_PORT", "9100") // the sidecar container holds 9000 in this namespace
                .start();
        try {
            Awaitility.await("injector container ready; log " + injector.log()).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        assertThat(injector.status()).as("container status; output: %s", injector.output())
                                .isEqualTo("running");
                        return injector.exec("/bin/wget", "-q", "-O", "-", "http://127.0.0.1:9100/readyz").ok();
                    });
            assertThat(injector.exec("/bin/wget", "-q", "-O", "-", "http://127.0.0.1:9100/metrics").output())
                    .contains("mep_injector_injected_total");
            assertThat(injector.output()).contains("injector listening").doesNotContainIgnoringCase("kafka");
        } finally {
            injector.close();
        }
    }

    @Test
    void canWriteOnlyToTmp() {
        assertThat(sidecar.exec("/bin/sh", "-c", "echo x > /tmp/probe").ok()).as("write to /tmp").isTrue();
        Commands.Result root = sidecar.exec("/bin/sh", "-c", "echo x > /deployments/probe");
        assertThat(root.ok()).as("write to the read-only root").isFalse();
        assertThat(root.output()).containsIgnoringCase("read-only");
    }

    /** Waits until the sidecar is ready, asked by busybox wget inside the container as the postStart hook asks. */
    private static void awaitReady() {
        Awaitility.await("sidecar container ready; log " + sidecar.log()).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    assertThat(sidecar.status()).as("container status; output: %s", sidecar.output())
                            .isEqualTo("running");
                    return sidecar.exec("/bin/wget", "-q", "-O", "-", READY_URL).ok();
                });
    }
}
