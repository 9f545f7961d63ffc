package io.mepsidecar.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a contract YAML document:
 *
 * <pre>
 * operations:
 *   get-quote:
 *     pattern: request-reply   # request-reply | one-way
 *     topic: quotes.get-quote
 *     timeout: 5s              # optional, default 30s
 *     expires: 1h              # optional, one-way only: older messages are dead-lettered, not delivered
 *     dead-letter-topic: x.dlq # optional, default &lt;topic&gt;.dlq
 *     dialect: spring          # optional: cloudevents (default) | spring | smallrye
 * </pre>
 * Unknown keys are rejected so that a misspelt key is not silently ignored.
 * <p>
 * A document with a top-level {@code asyncapi} key is read as an AsyncAPI 3.x document instead
 * ({@link AsyncApiContract}).
 */
public final class ContractParser {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> OPERATION_KEYS = Set.of("pattern", "topic", "timeout", "expires",
            "dead-letter-topic", "dialect");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ContractParser() {
    }

    public static Contract parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new ContractException("contract file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new ContractException("contract file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    public static Contract parse(InputStream in, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new ContractException(source + " is not valid YAML: " + e.getMessage(), e);
        }
        if (AsyncApiContract.isAsyncApi(root)) {
            return AsyncApiContract.read(root, source);
        }
        if (root == null || !root.path("operations").isObject()) {
            throw new ContractException(source + " must have a top-level 'operations' map");
        }
        List<Operation> operations = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.get("operations").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            operations.add(operation(field.getKey(), field.getValue(), source));
        }
        return new Contract(operations);
    }

    private static Operation operation(String name, JsonNode node, String source) {
        if (!node.isObject()) {
            throw new ContractException(source + ": operation '" + name + "' must be a map");
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!OPERATION_KEYS.contains(key)) {
                throw new ContractException(source + ": operation '" + name + "' has unknown key '" + key
                        + "'; allowed keys: " + OPERATION_KEYS);
            }
        });
        String pattern = text(node, "pattern", name, source);
        String topic = text(node, "topic", name, source);
        try {
            Duration timeout = node.has("timeout") ? DurationParser.parse(node.get("timeout").asText())
                    : DEFAULT_TIMEOUT;
            Optional<Duration> expires = node.has("expires")
                    ? Optional.of(DurationParser.parse(node.get("expires").asText())) : Optional.empty();
            String deadLetterTopic = node.has("dead-letter-topic") ? text(node, "dead-letter-topic", name, source)
                    : null;
            Dialect dialect = node.has("dialect") ? Dialect.fromWireName(text(node, "dialect", name, source))
                    : Dialect.DEFAULT;
            return new Operation(name, MessageExchangePattern.fromWireName(pattern), topic, timeout, expires,
                    deadLetterTopic, dialect);
        } catch (ContractException e) {
            throw e.getMessage().contains("operation '") ? e
                    : new ContractException(source + ": operation '" + name + "': " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String key, String operation, String source) {
        JsonNode value = node.get(key);
        if (value == null || !value.isTextual()) {
            throw new ContractException(source + ": operation '" + operation + "' needs a '" + key + "'");
        }
        return value.asText();
    }
}
