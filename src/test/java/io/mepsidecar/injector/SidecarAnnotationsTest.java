package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarAnnotationsTest {

    private static final InjectorConfig NO_TOKENS = InjectorConfigReader.read("image: i\n");
    private static final InjectorConfig CHART_TOKENS = InjectorConfigReader.read("image: i\ntokenSecret: mep-tokens\n");
    private static final InjectorConfig CHART_TRACING =
            InjectorConfigReader.read("image: i\ntracing:\n  otlpEndpoint: http://otel-collector.observability:4318/v1/traces\n");

    @Test
    void tokenSecretAnnotationWinsOverTheChartWideDefault() throws InvalidAnnotationException {
        assertThat(spec(Map.of(), CHART_TOKENS).tokenSecret()).contains("mep-tokens");
        assertThat(spec(Map.of("token-secret", "orders-tokens"), CHART_TOKENS).tokenSecret()).contains("orders-tokens");
        assertThat(spec(Map.of("token-secret", "orders-tokens"), NO_TOKENS).tokenSecret()).contains("orders-tokens");
        assertThat(spec(Map.of(), NO_TOKENS).tokenSecret()).isEmpty();
    }

    @Test
    void callsAreOperationNamesJoinedByCommasAlone() throws InvalidAnnotationException {
        assertThat(spec(Map.of("calls", " get-quote , orders.place-order "), NO_TOKENS).calls())
                .contains("get-quote,orders.place-order");
        assertThat(spec(Map.of(), NO_TOKENS).calls()).as("unset: the whole contract").isEmpty();
    }

    @Test
    void callsWithAnEmptyOrMalformedNameAreRefused() {
        assertThatThrownBy(() -> spec(Map.of("calls", "get-quote,,place-order"), NO_TOKENS))
                .hasMessageContaining("mep-sidecar.io/calls has value 'get-quote,,place-order'")
                .hasMessageContaining("a name is empty");
        assertThatThrownBy(() -> spec(Map.of("calls", ""), NO_TOKENS)).hasMessageContaining("a name is empty");
        assertThatThrownBy(() -> spec(Map.of("calls", "Get-Quote"), NO_TOKENS))
                .hasMessageContaining("'Get-Quote' is not one");
    }

    @Test
    void tokenSecretMustBeADns1123Subdomain() {
        for (String bad : new String[] {"", "Tokens", "tokens_1", "-tokens", "tokens.", "a..b", "x".repeat(254)}) {
            assertThatThrownBy(() -> spec(Map.of("token-secret", bad), NO_TOKENS)).as(bad)
                    .isInstanceOf(InvalidAnnotationException.class)
                    .hasMessageContaining("mep-sidecar.io/token-secret");
        }
    }

    @Test
    void otlpEndpointAnnotationWinsOverTheChartWideOneAndEmptyTurnsSpansOff() throws InvalidAnnotationException {
        assertThat(spec(Map.of(), NO_TOKENS).otlpEndpoint()).as("none configured").isEmpty();
        assertThat(spec(Map.of(), CHART_TRACING).otlpEndpoint())
                .contains("http://otel-collector.observability:4318/v1/traces");
        assertThat(spec(Map.of("otlp-endpoint", " https://traces.example:4318/v1/traces "), CHART_TRACING).otlpEndpoint())
                .contains("https://traces.example:4318/v1/traces");
        assertThat(spec(Map.of("otlp-endpoint", "http://otel:4318/v1/traces"), NO_TOKENS).otlpEndpoint())
                .contains("http://otel:4318/v1/traces");
        assertThat(spec(Map.of("otlp-endpoint", ""), CHART_TRACING).otlpEndpoint()).as("off for this pod").isEmpty();
        assertThat(spec(Map.of("otlp-endpoint", "http://otel:4318/v1/traces"), NO_TOKENS).warnings())
                .as("a known annotation").isEmpty();
    }

    @Test
    void otlpEndpointThatIsNoHttpUrlIsRefused() {
        for (String bad : new String[] {"otel-collector:4318", "otel-collector.observability", "grpc://otel:4317",
                "http://", "http:///v1/traces", "http://otel collector:4318"}) {
            assertThatThrownBy(() -> spec(Map.of("otlp-endpoint", bad), CHART_TRACING)).as(bad)
                    .isInstanceOf(InvalidAnnotationException.class)
                    .hasMessageContaining("annotation mep-sidecar.io/otlp-endpoint has value '" + bad + "'")
                    .hasMessageContaining("expected an http:// or https:// URL");
        }
    }

    private static SidecarSpec spec(Map<String, String> annotations, InjectorConfig config)
            throws InvalidAnnotationException {
        Map<String, String> prefixed = new HashMap<>(Map.of(SidecarAnnotations.INJECT, "true"));
        annotations.forEach((name, value) -> prefixed.put(SidecarAnnotations.PREFIX + name, value));
        return SidecarAnnotations.read(prefixed, Map.of("app", "orders"), config);
    }
}
