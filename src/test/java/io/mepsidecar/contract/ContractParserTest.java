package io.mepsidecar.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractParserTest {

    private static final String SOURCE = "contract.yaml";

    private static final String VALID = """
            operations:
              get-quote:
                pattern: request-reply
                topic: quotes.get-quote
                timeout: 5s
              price-changed:
                pattern: one-way
                topic: quotes.price-changed
              lookup:
                pattern: request-reply
                topic: quotes.lookup
            """;

    private static Contract parse(String yaml) {
        InputStream in = new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        return ContractParser.parse(in, SOURCE);
    }

    @Test
    void readsRequestReplyAndOneWayOperations() {
        Contract contract = parse(VALID);

        assertThat(contract.operations())
                .extracting(Operation::name)
                .containsExactlyInAnyOrder("get-quote", "price-changed", "lookup");

        Operation getQuote = contract.require("get-quote");
        assertThat(getQuote.pattern()).isEqualTo(MessageExchangePattern.REQUEST_REPLY);
        assertThat(getQuote.topic()).isEqualTo("quotes.get-quote");
        assertThat(getQuote.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(getQuote.expectsReply()).isTrue();

        Operation priceChanged = contract.require("price-changed");
        assertThat(priceChanged.pattern()).isEqualTo(MessageExchangePattern.ONE_WAY);
        assertThat(priceChanged.topic()).isEqualTo("quotes.price-changed");
        assertThat(priceChanged.expectsReply()).isFalse();
    }

    @Test
    void defaultsTheTimeoutToThirtySecondsWhenAbsent() {
        Contract contract = parse(VALID);

        assertThat(contract.require("lookup").timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(contract.require("price-changed").timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ContractParser.DEFAULT_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void acceptsAnIsoTimeout() {
        Contract contract = parse("""
                operations:
                  ping:
                    pattern: request-reply
                    topic: ping
                    timeout: PT1M
                """);

        assertThat(contract.require("ping").timeout()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void rejectsAnUnknownKey() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping:
                    pattern: request-reply
                    topic: ping
                    timout: 5s
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("'ping'")
                .hasMessageContaining("unknown key 'timout'")
                .hasMessageContaining("pattern")
                .hasMessageContaining("topic")
                .hasMessageContaining("timeout");
    }

    @Test
    void rejectsAnUnknownPatternNamingTheAllowedValues() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping:
                    pattern: fire-and-forget
                    topic: ping
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'fire-and-forget'")
                .hasMessageContaining("request-reply")
                .hasMessageContaining("one-way");
    }

    @Test
    void rejectsAnOperationWithoutTopic() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping:
                    pattern: request-reply
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("'ping'")
                .hasMessageContaining("needs a 'topic'");
    }

    @Test
    void rejectsAnOperationWithoutPattern() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping:
                    topic: ping
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'ping'")
                .hasMessageContaining("needs a 'pattern'");
    }

    @Test
    void rejectsAnOperationThatIsNotAMap() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping: request-reply
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'ping'")
                .hasMessageContaining("must be a map");
    }

    @Test
    void rejectsADocumentWithoutOperations() {
        assertThatThrownBy(() -> parse("""
                operation:
                  ping:
                    pattern: request-reply
                    topic: ping
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("top-level 'operations' map");
    }

    @Test
    void rejectsAnEmptyDocument() {
        assertThatThrownBy(() -> parse(""))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("top-level 'operations' map");
    }

    @Test
    void rejectsOperationsThatAreNotAMap() {
        assertThatThrownBy(() -> parse("""
                operations:
                  - ping
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("top-level 'operations' map");
    }

    @Test
    void rejectsInvalidYaml() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping: [request-reply, ping
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("is not valid YAML");
    }

    @Test
    void rejectsTwoOperationsSharingATopic() {
        assertThatThrownBy(() -> parse("""
                operations:
                  first:
                    pattern: request-reply
                    topic: shared
                  second:
                    pattern: one-way
                    topic: shared
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'first'")
                .hasMessageContaining("'second'")
                .hasMessageContaining("share topic 'shared'");
    }

    @Test
    void rejectsAnOperationDeclaredTwice() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping:
                    pattern: request-reply
                    topic: ping-one
                  ping:
                    pattern: one-way
                    topic: ping-two
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'ping'");
    }

    @Test
    void contractRejectsTheSameOperationNameTwice() {
        Operation first = new Operation("ping", MessageExchangePattern.REQUEST_REPLY, "ping-one", Duration.ofSeconds(1));
        Operation second = new Operation("ping", MessageExchangePattern.ONE_WAY, "ping-two", Duration.ofSeconds(1));

        assertThatThrownBy(() -> new Contract(List.of(first, second)))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'ping' is declared twice");
    }

    @Test
    void rejectsAnUpperCaseOperationName() {
        assertThatThrownBy(() -> parse("""
                operations:
                  GetQuote:
                    pattern: request-reply
                    topic: quotes
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'GetQuote'")
                .hasMessageContaining("lower-case");
    }

    @Test
    void rejectsAnOperationNameEndingWithADash() {
        assertThatThrownBy(() -> parse("""
                operations:
                  get-:
                    pattern: request-reply
                    topic: quotes
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'get-'");
    }

    @Test
    void rejectsAnInvalidTopicName() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping:
                    pattern: request-reply
                    topic: "ping/pong"
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'ping'")
                .hasMessageContaining("'ping/pong'")
                .hasMessageContaining("not a valid Kafka topic name");
    }

    @Test
    void rejectsAZeroTimeout() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping:
                    pattern: request-reply
                    topic: ping
                    timeout: 0s
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'ping'")
                .hasMessageContaining("timeout must be positive");
    }

    @Test
    void rejectsAnUnreadableTimeout() {
        assertThatThrownBy(() -> parse("""
                operations:
                  ping:
                    pattern: request-reply
                    topic: ping
                    timeout: soon
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("operation 'ping'")
                .hasMessageContaining("'soon'")
                .hasMessageContaining("not a duration");
    }

    @Test
    void rejectsAnEmptyOperationsMap() {
        assertThatThrownBy(() -> parse("""
                operations: {}
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("declares no operations");
    }

    @Test
    void requireOfAnUnknownOperationListsTheKnownOnes() {
        Contract contract = parse(VALID);

        assertThatThrownBy(() -> contract.require("get-qoute"))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'get-qoute'")
                .hasMessageContaining("is not in the contract")
                .hasMessageContaining("get-quote")
                .hasMessageContaining("price-changed")
                .hasMessageContaining("lookup");
    }

    @Test
    void findReturnsTheDeclaredOperationOrNothing() {
        Contract contract = parse(VALID);

        assertThat(contract.find("get-quote"))
                .hasValueSatisfying(operation -> assertThat(operation.topic()).isEqualTo("quotes.get-quote"));
        assertThat(contract.find("unknown")).isEmpty();
    }

    @Test
    void parsingAMissingFileSaysItDoesNotExist(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> ContractParser.parse(missing))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void parsesAContractFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("contract.yaml");
        Files.writeString(file, VALID);

        Contract contract = ContractParser.parse(file);

        assertThat(contract.require("get-quote").timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(contract.operations()).hasSize(3);
    }

    @Test
    void namesTheFileWhenItsContentIsInvalid(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "operations: {}\n");

        assertThatThrownBy(() -> ContractParser.parse(Path.of(file.toString())))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("declares no operations");

        Files.writeString(file, "something: else\n");
        assertThatThrownBy(() -> ContractParser.parse(file))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("top-level 'operations' map");
    }
}
