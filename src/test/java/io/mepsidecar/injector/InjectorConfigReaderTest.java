package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InjectorConfigReaderTest {

    @Test
    void everyKeyButImageHasADefault() {
        InjectorConfig config = InjectorConfigReader.read("image: ghcr.io/mep-sidecar/mep-sidecar:1.0.0\n");

        assertThat(config.imagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(config.nativeSidecar()).isTrue();
        assertThat(config.contractConfigMap()).isEqualTo("mep-contract");
        assertThat(config.tokenSecret()).isEmpty();
        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.kafka().envFromSecret()).isEmpty();
        assertThat(config.tracing().otlpEndpoint()).as("no spans").isEmpty();
        assertThat(config.appPort()).isEqualTo(8080);
        assertThat(config.logLevel()).isEqualTo("INFO");
        assertThat(config.shutdownGraceDuration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.preStopSleepSeconds()).isEqualTo(5);
        assertThat(config.prometheusAnnotations()).isTrue();
        assertThat(config.resources().requests()).isEqualTo(Map.of("cpu", "100m", "memory", "192Mi"));
        assertThat(config.resources().limits()).isEqualTo(Map.of("memory", "256Mi"));
        assertThat(config.env()).isEmpty();
    }

    @Test
    void reportsEveryProblemAtOnce() {
        String yaml = "imagePullPolicy: Sometimes\nappPort: 0\nshutdownGrace: soon\nresources:\n  limits: {memory: lots}\n"
                + "kafka:\n  bootstrapServer: kafka:9092\nnativeSidecars: true\n";

        assertThatThrownBy(() -> InjectorConfigReader.read(yaml)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image is required")
                .hasMessageContaining("imagePullPolicy 'Sometimes'")
                .hasMessageContaining("appPort '0'")
                .hasMessageContaining("shutdownGrace 'soon'")
                .hasMessageContaining("resources.limits.memory 'lots'")
                .hasMessageContaining("unknown key kafka.bootstrapServer")
                .hasMessageContaining("unknown key nativeSidecars");
    }

    @Test
    void readsTheTokenSecretAndRefusesANameKubernetesWouldRefuse() {
        assertThat(InjectorConfigReader.read("image: i\ntokenSecret: mep-tokens\n").tokenSecret()).contains("mep-tokens");
        assertThat(InjectorConfigReader.read("image: i\ntokenSecret: \"\"\n").tokenSecret()).isEmpty();
        assertThatThrownBy(() -> InjectorConfigReader.read("image: i\ntokenSecret: Mep_Tokens\n"))
                .hasMessageContaining("tokenSecret 'Mep_Tokens': expected a Kubernetes object name");
        assertThatThrownBy(() -> InjectorConfigReader.read("image: i\ntokenSecret: mep..tokens\n"))
                .hasMessageContaining("tokenSecret 'mep..tokens'");
    }

    @Test
    void readsTheOtlpEndpointAndRefusesOneTheSidecarCouldNotExportTo() {
        assertThat(InjectorConfigReader.read("image: i\ntracing:\n  otlpEndpoint: http://otel-collector:4318/v1/traces\n")
                .tracing().otlpEndpoint()).contains("http://otel-collector:4318/v1/traces");
        assertThat(InjectorConfigReader.read("image: i\ntracing:\n  otlpEndpoint: \"\"\n").tracing().otlpEndpoint())
                .isEmpty();
        for (String bad : new String[] {"otel-collector:4318", "grpc://otel-collector:4317", "http://", "http://a b"}) {
            assertThatThrownBy(() -> InjectorConfigReader.read("image: i\ntracing:\n  otlpEndpoint: \"" + bad + "\"\n"))
                    .as(bad).hasMessageContaining("otlpEndpoint '" + bad + "': expected an http:// or https:// URL");
        }
        assertThatThrownBy(() -> InjectorConfigReader.read("image: i\ntracing:\n  endpoint: http://otel:4318/v1/traces\n"))
                .hasMessageContaining("unknown key tracing.endpoint");
    }

    @Test
    void refusesTokenAndCallsEnvSinceTheInjectorSetsThemFromTheSecretAndAnnotation() {
        String yaml = "image: i\nenv:\n  MEP_API_TOKEN: secret\n  MEP_APP_TOKEN: secret\n  MEP_CALLS: get-quote\n";

        assertThatThrownBy(() -> InjectorConfigReader.read(yaml))
                .hasMessageContaining("env.MEP_API_TOKEN: set by the injector itself")
                .hasMessageContaining("env.MEP_APP_TOKEN: set by the injector itself")
                .hasMessageContaining("env.MEP_CALLS: set by the injector itself");
    }

    @Test
    void refusesEnvThatTheInjectorSetsItself() {
        String yaml = "image: i\nenv:\n  KAFKA_BOOTSTRAP_SERVERS: elsewhere:9092\n"
                + "  MEP_TRACING_OTLP_ENDPOINT: http://otel:4318/v1/traces\n";

        assertThatThrownBy(() -> InjectorConfigReader.read(yaml))
                .hasMessageContaining("env.KAFKA_BOOTSTRAP_SERVERS: set by the injector itself")
                .hasMessageContaining("env.MEP_TRACING_OTLP_ENDPOINT: set by the injector itself");
    }

    @Test
    void refusesEnvThatWouldMoveTheApiOffLoopbackOrHealthOffTheProbedPort() {
        String yaml = "image: i\nenv:\n  QUARKUS_HTTP_HOST: 0.0.0.0\n  QUARKUS_MANAGEMENT_PORT: \"9100\"\n";

        assertThatThrownBy(() -> InjectorConfigReader.read(yaml))
                .hasMessageContaining("env.QUARKUS_HTTP_HOST: the injected probes")
                .hasMessageContaining("env.QUARKUS_MANAGEMENT_PORT: the injected probes");
    }

    @Test
    void keepsEnvInFileOrder() {
        InjectorConfig config = InjectorConfigReader.read("image: i\nenv:\n  B_FIRST: \"1\"\n  A_SECOND: \"2\"\n");

        assertThat(config.env().keySet()).containsExactly("B_FIRST", "A_SECOND");
    }
}
