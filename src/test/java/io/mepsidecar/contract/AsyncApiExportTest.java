package io.mepsidecar.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract written as AsyncAPI 3.0.0, and read back. */
class AsyncApiExportTest {

    private static final Path EXAMPLE = Path.of("examples/contract.yaml");
    private static final Path EXAMPLE_EXPORT = Path.of("examples/asyncapi.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Path> contracts() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources"))) {
            List<Path> testContracts = files.filter(f -> f.getFileName().toString().endsWith("-contract.yaml"))
                    .sorted().toList();
            assertThat(testContracts).isNotEmpty();
            return Stream.concat(Stream.of(EXAMPLE, Path.of("src/test/resources/asyncapi/shop.yaml")),
                    testContracts.stream());
        }
    }

    private static Contract reread(String document) {
        return ContractParser.parse(new ByteArrayInputStream(document.getBytes(StandardCharsets.UTF_8)),
                "export.yaml");
    }

    @ParameterizedTest
    @MethodSource("contracts")
    void exportThenImportGivesBackTheSameOperations(Path file) {
        Contract contract = ContractParser.parse(file);

        Contract reread = reread(AsyncApiExport.toYaml(contract, "round-trip"));

        assertThat(reread.operations()).containsExactlyElementsOf(contract.operations());
    }

    @Test
    void everyOptionSurvivesTheRoundTrip() {
        Contract contract = new Contract(List.of(
                new Operation("quote", MessageExchangePattern.REQUEST_REPLY, "q.quote", Duration.ofMillis(250),
                        Optional.empty(), "q.quote.dead", Dialect.SMALLRYE),
                new Operation("quote.reply", MessageExchangePattern.REQUEST_REPLY, "q.quote-reply",
                        Duration.ofMinutes(2), Optional.empty(), null, Dialect.SPRING),
                new Operation("tick", MessageExchangePattern.ONE_WAY, "q.tick", Duration.ofMillis(1500),
                        Optional.of(Duration.ofHours(36)), null, Dialect.CLOUDEVENTS)));

        assertThat(reread(AsyncApiExport.toYaml(contract, "all")).operations())
                .containsExactlyElementsOf(contract.operations());
    }

    @Test
    void theExampleExportIsUpToDate() throws IOException {
        String exported = AsyncApiExport.toYaml(ContractParser.parse(EXAMPLE), "contract");

        assertThat(exported)
                .as("examples/asyncapi.yaml is the export of examples/contract.yaml; rewrite it with"
                        + " java -jar target/quarkus-app/quarkus-run.jar contract export examples/contract.yaml"
                        + " --output examples/asyncapi.yaml")
                .isEqualTo(Files.readString(EXAMPLE_EXPORT, StandardCharsets.UTF_8));
    }

    @Test
    void writesAnAsyncApi3DocumentWithADynamicReplyAddress() throws IOException {
        JsonNode doc = YAML.readTree(AsyncApiExport.toYaml(ContractParser.parse(EXAMPLE), "quotes"));

        assertThat(doc.path("asyncapi").asText()).isEqualTo("3.0.0");
        assertThat(doc.at("/info/title").asText()).isEqualTo("quotes");
        assertThat(doc.at("/info/version").asText()).isEqualTo("1.0.0");
        assertThat(doc.at("/channels/get-quote/address").asText()).isEqualTo("quotes.get-quote");
        assertThat(doc.at("/channels/get-quote.reply/address").isNull()).isTrue();
        JsonNode getQuote = doc.at("/operations/get-quote");
        assertThat(getQuote.path("action").asText()).isEqualTo("send");
        assertThat(getQuote.at("/channel/$ref").asText()).isEqualTo("#/channels/get-quote");
        assertThat(getQuote.at("/reply/address/location").asText()).isEqualTo("$message.header#/ce_replyto");
        assertThat(getQuote.at("/reply/channel/$ref").asText()).isEqualTo("#/channels/get-quote.reply");
        assertThat(getQuote.path("x-mep-timeout").asText()).isEqualTo("5s");
        assertThat(getQuote.has("x-mep-dialect")).isFalse();
        assertThat(getQuote.has("x-mep-dead-letter-topic")).isFalse();
        assertThat(doc.at("/operations/order-placed").has("reply")).isFalse();
        assertThat(doc.at("/components/messages/get-quote.request/correlationId/location").asText())
                .isEqualTo("$message.header#/ce_correlationid");
    }

    @Test
    void namesTheDialectsHeaders() throws IOException {
        Contract contract = new Contract(List.of(
                new Operation("ask", MessageExchangePattern.REQUEST_REPLY, "ask", Duration.ofSeconds(1),
                        Optional.empty(), null, Dialect.SPRING)));

        JsonNode doc = YAML.readTree(AsyncApiExport.toYaml(contract, "t"));

        assertThat(doc.at("/operations/ask/x-mep-dialect").asText()).isEqualTo("spring");
        assertThat(doc.at("/operations/ask/reply/address/location").asText())
                .isEqualTo("$message.header#/kafka_replyTopic");
        assertThat(doc.at("/components/messages/ask.reply/correlationId/location").asText())
                .isEqualTo("$message.header#/kafka_correlationId");
    }

    @Test
    void formatsDurationsSoTheyReadBack() {
        for (Duration d : List.of(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofSeconds(90),
                Duration.ofMinutes(1), Duration.ofHours(36), Duration.ofNanos(1500))) {
            assertThat(DurationParser.parse(DurationParser.format(d))).isEqualTo(d);
        }
        assertThat(DurationParser.format(Duration.ofMillis(300))).isEqualTo("300ms");
        assertThat(DurationParser.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(DurationParser.format(Duration.ofMinutes(1))).isEqualTo("1m");
        assertThat(DurationParser.format(Duration.ofHours(36))).isEqualTo("36h");
    }
}
