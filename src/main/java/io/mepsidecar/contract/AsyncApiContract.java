package io.mepsidecar.contract;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an AsyncAPI 3.x document as the contract (docs/protocol.md, "The contract as AsyncAPI"):
 *
 * <pre>
 * asyncapi: 3.0.0
 * channels:
 *   quotes:
 *     address: quotes.get-quote            # the Kafka topic requests go to
 * operations:
 *   get-quote:                             # the operation name
 *     action: send                         # send (the caller's view) or receive (the server's view)
 *     channel: {$ref: '#/channels/quotes'}
 *     reply: {...}                         # present: request-reply; absent: one-way
 *     x-mep-timeout: 5s                    # optional, as the YAML contract's keys
 *     x-mep-expires: 1h
 *     x-mep-dead-letter-topic: x.dlq
 *     x-mep-dialect: spring
 * </pre>
 * Only local references to a channel ({@code #/channels/...}, {@code #/components/channels/...}) are followed.
 * Everything else of the document (info, servers, messages, bindings, the content of a reply) is not read: the
 * sidecar's reply topic is its own, named by each request.
 */
final class AsyncApiContract {

    /** The prefix of the sidecar's own extension keys on an operation. */
    static final String EXTENSION_PREFIX = "x-mep-";
    static final String TIMEOUT = "x-mep-timeout";
    static final String EXPIRES = "x-mep-expires";
    static final String DEAD_LETTER_TOPIC = "x-mep-dead-letter-topic";
    static final String DIALECT = "x-mep-dialect";
    private static final Set<String> EXTENSIONS = Set.of(TIMEOUT, EXPIRES, DEAD_LETTER_TOPIC, DIALECT);
    private static final Pattern VERSION_3 = Pattern.compile("3\\.\\d+\\.\\d+(-.+)?");
    private static final List<String> CHANNEL_REF_PREFIXES = List.of("#/channels/", "#/components/channels/");
    private static final int MAX_REF_HOPS = 8;

    private AsyncApiContract() {
    }

    /** Whether the document declares itself an AsyncAPI document (a top-level {@code asyncapi} key). */
    static boolean isAsyncApi(JsonNode root) {
        return root != null && root.isObject() && root.has("asyncapi");
    }

    /** The operations of an AsyncAPI 3.x document; {@link ContractException} naming {@code source} otherwise. */
    static Contract read(JsonNode root, String source) {
        checkVersion(root.get("asyncapi"), source);
        JsonNode operationsNode = root.get("operations");
        if (operationsNode == null || !operationsNode.isObject() || operationsNode.isEmpty()) {
            throw new ContractException(source + ": an AsyncAPI contract needs a top-level 'operations' map with at"
                    + " least one operation; the sidecar serves and calls operations, not channels");
        }
        List<Operation> operations = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = operationsNode.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            operations.add(operation(root, field.getKey(), field.getValue(), source));
        }
        try {
            return new Contract(operations);
        } catch (ContractException e) {
            throw new ContractException(source + ": " + e.getMessage(), e);
        }
    }

    private static void checkVersion(JsonNode version, String source) {
        String text = version != null && version.isValueNode() ? version.asText() : "";
        if (!VERSION_3.matcher(text).matches()) {
            throw new ContractException(source + ": 'asyncapi: " + text + "' is not supported; only AsyncAPI 3.x"
                    + " documents (operations with 'action', 'channel' and 'reply') can be read as a contract."
                    + " Convert an AsyncAPI 2 document to 3.0, or write the YAML contract (top-level 'operations'"
                    + " without 'asyncapi')");
        }
    }

    private static Operation operation(JsonNode root, String name, JsonNode node, String source) {
        if (!Operation.isValidName(name)) {
            throw new ContractException(source + ": operation '" + name + "': its key is the operation name, which"
                    + " must be 1-64 lower-case letters, digits, '.' or '-', starting and ending with a letter or"
                    + " digit (it is used in URLs and record headers); rename it, e.g. 'get-quote'");
        }
        if (node == null || !node.isObject()) {
            throw new ContractException(source + ": operation '" + name + "' must be a map");
        }
        try {
            checkExtensions(node);
            checkAction(node.get("action"));
            String topic = address(root, node.get("channel"));
            MessageExchangePattern pattern = replyPattern(node.get("reply"));
            Duration timeout = node.has(TIMEOUT) ? DurationParser.parse(scalar(node, TIMEOUT))
                    : ContractParser.DEFAULT_TIMEOUT;
            Optional<Duration> expires = node.has(EXPIRES)
                    ? Optional.of(DurationParser.parse(scalar(node, EXPIRES))) : Optional.empty();
            String deadLetterTopic = node.has(DEAD_LETTER_TOPIC) ? scalar(node, DEAD_LETTER_TOPIC) : null;
            Dialect dialect = node.has(DIALECT) ? Dialect.fromWireName(scalar(node, DIALECT)) : Dialect.DEFAULT;
            return new Operation(name, pattern, topic, timeout, expires, deadLetterTopic, dialect);
        } catch (ContractException e) {
            String message = e.getMessage();
            throw new ContractException(source + ": " + (message.startsWith("operation '" + name + "'") ? message
                    : "operation '" + name + "': " + message), e);
        }
    }

    private static void checkExtensions(JsonNode node) {
        node.fieldNames().forEachRemaining(key -> {
            if (key.startsWith(EXTENSION_PREFIX) && !EXTENSIONS.contains(key)) {
                throw new ContractException("unknown extension '" + key + "'; allowed: " + TIMEOUT + ", " + EXPIRES
                        + ", " + DEAD_LETTER_TOPIC + ", " + DIALECT);
            }
        });
    }

    private static void checkAction(JsonNode action) {
        String value = action != null && action.isTextual() ? action.asText() : null;
        if (!"send".equals(value) && !"receive".equals(value)) {
            throw new ContractException("'action' must be 'send' (the caller's view) or 'receive' (the server's"
                    + " view), not " + (value == null ? "missing" : "'" + value + "'"));
        }
    }

    private static MessageExchangePattern replyPattern(JsonNode reply) {
        if (reply == null || reply.isNull()) {
            return MessageExchangePattern.ONE_WAY;
        }
        if (!reply.isObject()) {
            throw new ContractException("'reply' must be a map (an Operation Reply Object); leave it out for a"
                    + " one-way operation");
        }
        return MessageExchangePattern.REQUEST_REPLY;
    }

    /** The address of the channel {@code channel} refers to: the topic of the operation. */
    private static String address(JsonNode root, JsonNode channel) {
        if (channel == null || !channel.isObject() || !channel.path("$ref").isTextual()) {
            throw new ContractException("needs a 'channel' with a '$ref' to its channel, e.g."
                    + " channel: {$ref: '#/channels/quotes'}");
        }
        Set<String> seen = new HashSet<>();
        JsonNode current = channel;
        String ref = null;
        while (current.has("$ref")) {
            ref = current.path("$ref").asText();
            if (!seen.add(ref) || seen.size() > MAX_REF_HOPS) {
                throw new ContractException("the channel reference '" + ref + "' leads back to itself");
            }
            current = resolveChannel(root, ref);
        }
        JsonNode address = current.get("address");
        if (address == null || address.isNull()) {
            throw new ContractException("its channel '" + ref + "' has no 'address'; the sidecar publishes"
                    + " requests to the channel's address as the Kafka topic, so give the channel a fixed address,"
                    + " e.g. address: quotes.get-quote");
        }
        if (!address.isTextual() || address.asText().isBlank()) {
            throw new ContractException("its channel '" + ref + "' has an 'address' that is not a topic name");
        }
        return address.asText();
    }

    private static JsonNode resolveChannel(JsonNode root, String ref) {
        String prefix = CHANNEL_REF_PREFIXES.stream().filter(ref::startsWith).findFirst().orElseThrow(() ->
                new ContractException("'" + ref + "' cannot be followed: only references to a channel of the same"
                        + " document ('#/channels/<name>' or '#/components/channels/<name>') are read"));
        String name = ref.substring(prefix.length());
        if (name.isEmpty() || name.contains("/")) {
            throw new ContractException("'" + ref + "' does not name a channel; write '" + prefix + "<name>'");
        }
        JsonNode channels = root.at(prefix.substring(1, prefix.length() - 1));
        JsonNode target = channels.get(name.replace("~1", "/").replace("~0", "~"));
        if (target == null || !target.isObject()) {
            throw new ContractException("'" + ref + "' refers to no channel of the document");
        }
        return target;
    }

    private static String scalar(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isValueNode() || value.isNull()) {
            throw new ContractException("'" + key + "' needs a value");
        }
        return value.asText();
    }
}
