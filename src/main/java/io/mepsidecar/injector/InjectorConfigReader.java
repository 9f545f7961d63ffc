package io.mepsidecar.injector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@link InjectorConfig} from YAML: defaults for every key but {@code image}, unknown keys refused (a misspelt
 * key would otherwise be a default nobody asked for), every value checked. All problems are reported at once.
 */
public final class InjectorConfigReader {

    private static final Set<String> TOP_KEYS = Set.of("image", "imagePullPolicy", "nativeSidecar", "contractConfigMap",
            "tokenSecret", "kafka", "tracing", "appPort", "logLevel", "shutdownGrace", "preStopSleepSeconds",
            "prometheusAnnotations", "resources", "env");
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    private final List<String> problems = new ArrayList<>();

    /** @throws IllegalArgumentException naming every key that is wrong */
    public static InjectorConfig read(String text) {
        return new InjectorConfigReader().parse(text);
    }

    private InjectorConfig parse(String text) {
        JsonNode root = tree(text);
        unknownKeys(root, TOP_KEYS, "");
        JsonNode kafka = root.path("kafka");
        unknownKeys(kafka, Set.of("bootstrapServers", "envFromSecret"), "kafka.");
        JsonNode tracing = root.path("tracing");
        unknownKeys(tracing, Set.of("otlpEndpoint"), "tracing.");
        String image = check(root, "image", null, ValueChecks::notBlank);
        String pullPolicy = check(root, "imagePullPolicy", "IfNotPresent", InjectorConfigReader::pullPolicy);
        Boolean nativeSidecar = check(root, "nativeSidecar", "true", ValueChecks::bool);
        String contractConfigMap = check(root, "contractConfigMap", "mep-contract", ValueChecks::objectName);
        String tokenSecret = check(root, "tokenSecret", "", InjectorConfigReader::optionalName);
        String bootstrapServers = check(kafka, "bootstrapServers", "kafka:9092", ValueChecks::notBlank);
        String envFromSecret = check(kafka, "envFromSecret", "", InjectorConfigReader::optionalName);
        String otlpEndpoint = check(tracing, "otlpEndpoint", "", ValueChecks::optionalHttpUrl);
        Integer appPort = check(root, "appPort", "8080", ValueChecks::port);
        String logLevel = check(root, "logLevel", "INFO", ValueChecks::logLevel);
        String shutdownGrace = check(root, "shutdownGrace", "20s", InjectorConfigReader::duration);
        Integer preStopSleep = check(root, "preStopSleepSeconds", "5", ValueChecks::notNegative);
        Boolean prometheus = check(root, "prometheusAnnotations", "true", ValueChecks::bool);
        InjectorConfig.Resources resources = resources(root.path("resources"));
        Map<String, String> env = env(root.path("env"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new InjectorConfig(image, pullPolicy, nativeSidecar, contractConfigMap, present(tokenSecret),
                new InjectorConfig.Kafka(bootstrapServers, present(envFromSecret)),
                new InjectorConfig.Tracing(present(otlpEndpoint)),
                appPort, logLevel, shutdownGrace, preStopSleep, prometheus, resources, env);
    }

    private JsonNode tree(String text) {
        try {
            JsonNode root = yaml.readTree(text);
            if (root == null || root.isMissingNode() || root.isNull()) {
                return yaml.createObjectNode();
            }
            if (!root.isObject()) {
                throw new IllegalArgumentException("expected a YAML mapping at the top");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not YAML: " + e.getOriginalMessage(), e);
        }
    }

    private <T> T check(JsonNode parent, String key, String fallback, Function<String, T> parser) {
        JsonNode node = parent.path(key);
        String text = node.isMissingNode() || node.isNull() ? fallback : node.asText();
        if (text == null) {
            problems.add(key + " is required");
            return null;
        }
        if (node.isContainerNode()) {
            problems.add(key + ": expected a single value");
            return null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            problems.add(key + " '" + text + "': " + e.getMessage());
            return null;
        }
    }

    private InjectorConfig.Resources resources(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return new InjectorConfig.Resources(Map.of("cpu", "100m", "memory", "192Mi"), Map.of("memory", "256Mi"));
        }
        unknownKeys(node, Set.of("requests", "limits"), "resources.");
        Map<String, String> requests = quantities(node.path("requests"), "resources.requests.");
        Map<String, String> limits = quantities(node.path("limits"), "resources.limits.");
        if (problems.isEmpty()) {
            String resource = Quantities.requestAboveLimit(requests, limits);
            if (resource != null) {
                problems.add("resources.requests." + resource + " is above resources.limits." + resource);
            }
        }
        return new InjectorConfig.Resources(requests, limits);
    }

    private Map<String, String> quantities(JsonNode node, String prefix) {
        Map<String, String> quantities = stringMap(node, prefix);
        quantities.forEach((name, value) -> checkValue(prefix + name, value, ValueChecks::quantity));
        return quantities;
    }

    private Map<String, String> env(JsonNode node) {
        Map<String, String> env = stringMap(node, "env.");
        for (String name : env.keySet()) {
            checkValue("env." + name, name, ValueChecks::envName);
            if (SidecarContainerFactory.INJECTED_ENV.contains(name)) {
                problems.add("env." + name + ": set by the injector itself (use the matching setting or annotation)");
            } else if (SidecarContainerFactory.FIXED_ENV.contains(name)) {
                problems.add("env." + name + ": the injected probes, metrics port and loopback-only API rely on"
                        + " the sidecar's own value");
            }
        }
        return env;
    }

    private Map<String, String> stringMap(JsonNode node, String prefix) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return map;
        }
        if (!node.isObject()) {
            problems.add(prefix + ": expected a mapping");
            return map;
        }
        node.fields().forEachRemaining(field -> {
            if (field.getValue().isContainerNode()) {
                problems.add(prefix + field.getKey() + ": expected a single value");
            } else {
                map.put(field.getKey(), field.getValue().asText());
            }
        });
        return map;
    }

    private void checkValue(String key, String value, Function<String, ?> parser) {
        try {
            parser.apply(value);
        } catch (IllegalArgumentException e) {
            problems.add(key + " '" + value + "': " + e.getMessage());
        }
    }

    private void unknownKeys(JsonNode node, Set<String> known, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add("unknown key " + prefix + name);
            }
        }
    }

    private static String pullPolicy(String text) {
        if (!PULL_POLICIES.contains(text)) {
            throw new IllegalArgumentException("expected Always, IfNotPresent or Never");
        }
        return text;
    }

    private static Optional<String> present(String name) {
        return Optional.of(name).filter(text -> !text.isEmpty());
    }

    private static String optionalName(String text) {
        return text.isEmpty() ? text : ValueChecks.objectName(text);
    }

    private static String duration(String text) {
        ValueChecks.duration(text);
        return text;
    }
}
