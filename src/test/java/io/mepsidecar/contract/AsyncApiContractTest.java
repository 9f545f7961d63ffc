package io.mepsidecar.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** An AsyncAPI 3.x document read as the contract. */
class AsyncApiContractTest {

    private static final String SOURCE = "asyncapi.yaml";

    private static Contract parse(String yaml) {
        return ContractParser.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), SOURCE);
    }

    /** A valid document with one operation whose body is {@code operation} (indented by four spaces). */
    private static String withOperation(String name, String operation) {
        return """
                asyncapi: 3.0.0
                info: {title: t, version: 1.0.0}
                channels:
                  pings:
                    address: test.ping
                operations:
                  %s:
                %s""".formatted(name, operation.indent(4));
    }

    @Test
    void readsAHandWrittenDocumentIntoItsOperations() {
        Contract contract = ContractParser.parse(Path.of("src/test/resources/asyncapi/shop.yaml"));

        assertThat(contract.operations()).extracting(Operation::name)
                .containsExactly("get-quote", "order-placed", "check-stock");
        assertThat(contract.require("get-quote")).isEqualTo(new Operation("get-quote",
                MessageExchangePattern.REQUEST_REPLY, "shop.get-quote", Duration.ofSeconds(5), Optional.empty(),
                null, Dialect.CLOUDEVENTS));
        assertThat(contract.require("order-placed")).isEqualTo(new Operation("order-placed",
                MessageExchangePattern.ONE_WAY, "shop.order-placed", Duration.ofSeconds(10),
                Optional.of(Duration.ofHours(1)), "shop.orders.dead", Dialect.CLOUDEVENTS));
        assertThat(contract.require("check-stock")).isEqualTo(new Operation("check-stock",
                MessageExchangePattern.REQUEST_REPLY, "shop.check-stock", ContractParser.DEFAULT_TIMEOUT,
                Optional.empty(), null, Dialect.SPRING));
        assertThat(contract.require("check-stock").deadLetterTopic()).isEqualTo("shop.check-stock.dlq");
    }

    @Test
    void sendAndReceiveAreTheSameOperation() {
        Operation send = parse(withOperation("ping", """
                action: send
                channel: {$ref: '#/channels/pings'}
                reply: {}
                """)).require("ping");
        Operation receive = parse(withOperation("ping", """
                action: receive
                channel: {$ref: '#/channels/pings'}
                reply: {}
                """)).require("ping");

        assertThat(receive).isEqualTo(send);
        assertThat(send.pattern()).isEqualTo(MessageExchangePattern.REQUEST_REPLY);
    }

    @Test
    void anOperationWithoutReplyIsOneWay() {
        Operation ping = parse(withOperation("ping", """
                action: send
                channel: {$ref: '#/channels/pings'}
                """)).require("ping");

        assertThat(ping.pattern()).isEqualTo(MessageExchangePattern.ONE_WAY);
        assertThat(ping.topic()).isEqualTo("test.ping");
    }

    @Test
    void rejectsAChannelWithoutAddress() {
        assertThatThrownBy(() -> parse("""
                asyncapi: 3.0.0
                channels:
                  replies:
                    address: null
                operations:
                  ping:
                    action: send
                    channel: {$ref: '#/channels/replies'}
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("operation 'ping'")
                .hasMessageContaining("'#/channels/replies' has no 'address'")
                .hasMessageContaining("Kafka topic");
    }

    @Test
    void rejectsAReferenceToAnotherDocument() {
        assertThatThrownBy(() -> parse(withOperation("ping", """
                action: send
                channel: {$ref: 'common.yaml#/channels/pings'}
                """)))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("operation 'ping'")
                .hasMessageContaining("'common.yaml#/channels/pings' cannot be followed")
                .hasMessageContaining("'#/channels/<name>'");
    }

    @Test
    void rejectsAReferenceToNoChannel() {
        assertThatThrownBy(() -> parse(withOperation("ping", """
                action: send
                channel: {$ref: '#/channels/pongs'}
                """)))
                .hasMessageContaining("operation 'ping'")
                .hasMessageContaining("'#/channels/pongs' refers to no channel");
    }

    @Test
    void rejectsAnOperationKeyThatIsNoOperationName() {
        assertThatThrownBy(() -> parse(withOperation("getQuote", """
                action: send
                channel: {$ref: '#/channels/pings'}
                """)))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("operation 'getQuote'")
                .hasMessageContaining("lower-case");
    }

    @Test
    void rejectsAnUnknownMepExtension() {
        assertThatThrownBy(() -> parse(withOperation("ping", """
                action: send
                channel: {$ref: '#/channels/pings'}
                x-mep-timout: 5s
                x-other-tool: ignored
                """)))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("operation 'ping'")
                .hasMessageContaining("unknown extension 'x-mep-timout'")
                .hasMessageContaining("x-mep-timeout");
    }

    @Test
    void rejectsAnUnknownAction() {
        assertThatThrownBy(() -> parse(withOperation("ping", """
                action: publish
                channel: {$ref: '#/channels/pings'}
                """)))
                .hasMessageContaining("operation 'ping'")
                .hasMessageContaining("'send'")
                .hasMessageContaining("'receive'")
                .hasMessageContaining("'publish'");
    }

    @Test
    void rejectsAnUnreadableExtensionValue() {
        assertThatThrownBy(() -> parse(withOperation("ping", """
                action: send
                channel: {$ref: '#/channels/pings'}
                x-mep-timeout: soon
                """)))
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("operation 'ping'")
                .hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> parse(withOperation("ping", """
                action: send
                channel: {$ref: '#/channels/pings'}
                x-mep-dialect: jms
                """)))
                .hasMessageContaining("operation 'ping'")
                .hasMessageContaining("unknown dialect 'jms'");
    }

    @Test
    void rejectsAnAsyncApi2Document() {
        assertThatThrownBy(() -> parse("""
                asyncapi: 2.6.0
                info: {title: t, version: 1.0.0}
                channels:
                  test.ping:
                    publish:
                      operationId: ping
                """))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("'asyncapi: 2.6.0' is not supported")
                .hasMessageContaining("only AsyncAPI 3.x");
    }

    @Test
    void rejectsADocumentWithoutOperations() {
        assertThatThrownBy(() -> parse("""
                asyncapi: 3.0.0
                channels:
                  pings:
                    address: test.ping
                """))
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("top-level 'operations' map");
    }

    @Test
    void rejectsTwoOperationsOnOneChannel() {
        assertThatThrownBy(() -> parse("""
                asyncapi: 3.0.0
                channels:
                  pings:
                    address: test.ping
                operations:
                  ping:
                    action: send
                    channel: {$ref: '#/channels/pings'}
                  ping-served:
                    action: receive
                    channel: {$ref: '#/channels/pings'}
                """))
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("share topic 'test.ping'");
    }

    @Test
    void rejectsAnAddressThatIsNoTopicName() {
        assertThatThrownBy(() -> parse("""
                asyncapi: 3.0.0
                channels:
                  users:
                    address: 'users.{userId}'
                operations:
                  user-signed-up:
                    action: send
                    channel: {$ref: '#/channels/users'}
                """))
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("operation 'user-signed-up'")
                .hasMessageContaining("'users.{userId}' is not a valid Kafka topic name");
    }
}
