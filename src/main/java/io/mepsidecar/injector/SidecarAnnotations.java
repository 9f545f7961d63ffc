package io.mepsidecar.injector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The pod annotations under {@value #PREFIX} that request and tune the sidecar, read against the injector's config
 * into a {@link SidecarSpec}. Every annotation value is checked; all bad ones are reported together.
 */
public final class SidecarAnnotations {

    public static final String PREFIX = "mep-sidecar.io/";
    public static final String INJECT = PREFIX + "inject";
    public static final String STATUS = PREFIX + "status";
    public static final String INJECTED_LABEL = PREFIX + "injected";

    private static final Set<String> NAMES = Set.of("inject", "status", "app-name", "serves", "calls", "token-secret",
            "app-port", "app-health-path", "max-concurrency", "consumption", "contract", "cpu-request", "cpu-limit",
            "memory-request", "memory-limit", "log-level", "shutdown-grace", "native-sidecar",
            "kafka-bootstrap-servers", "otlp-endpoint");

    private final Map<String, String> annotations;
    private final Map<String, String> labels;
    private final List<String> problems = new ArrayList<>();

    private SidecarAnnotations(Map<String, String> annotations, Map<String, String> labels) {
        this.annotations = annotations;
        this.labels = labels;
    }

    /** True only for {@code mep-sidecar.io/inject: "true"}. */
    public static boolean injectionRequested(Map<String, String> annotations) {
        return "true".equals(annotations.get(INJECT));
    }

    public static SidecarSpec read(Map<String, String> annotations, Map<String, String> labels, InjectorConfig config)
            throws InvalidAnnotationException {
        return new SidecarAnnotations(annotations, labels).resolve(config);
    }

    private SidecarSpec resolve(InjectorConfig config) throws InvalidAnnotationException {
        Optional<String> calls = value("calls", ValueChecks::operationNames);
        Optional<String> tokenSecret = value("token-secret", ValueChecks::objectName);
        Optional<Integer> appPort = value("app-port", ValueChecks::port);
        Optional<String> healthPath = value("app-health-path", ValueChecks::absolutePath);
        Optional<Integer> maxConcurrency = value("max-concurrency", ValueChecks::positive);
        Optional<String> consumption = value("consumption", ValueChecks::consumption);
        Optional<String> contract = value("contract", ValueChecks::objectName);
        Map<String, String> requests = resources(config.resources().requests(), "cpu-request", "memory-request");
        Map<String, String> limits = resources(config.resources().limits(), "cpu-limit", "memory-limit");
        requestNotAboveLimit(requests, limits);
        Optional<String> logLevel = value("log-level", ValueChecks::logLevel);
        Optional<String> grace = value("shutdown-grace", ValueChecks::duration).map(ignored -> text("shutdown-grace"));
        Optional<Boolean> nativeSidecar = value("native-sidecar", ValueChecks::bool);
        Optional<String> bootstrap = value("kafka-bootstrap-servers", ValueChecks::notBlank);
        Optional<String> otlpEndpoint = otlpEndpoint(config);
        if (!problems.isEmpty()) {
            throw new InvalidAnnotationException(problems);
        }
        String shutdownGrace = grace.orElse(config.shutdownGrace());
        return new SidecarSpec(appName(), optionalText("serves"), calls, tokenSecret.or(config::tokenSecret),
                appPort.orElse(config.appPort()), healthPath,
                maxConcurrency, consumption, contract.orElse(config.contractConfigMap()), requests, limits,
                logLevel.orElse(config.logLevel()), shutdownGrace, ValueChecks.duration(shutdownGrace),
                nativeSidecar.orElse(config.nativeSidecar()) ? InjectionMode.NATIVE : InjectionMode.PLAIN,
                bootstrap.orElse(config.kafka().bootstrapServers()), otlpEndpoint, unknownAnnotations());
    }

    /** The annotation, else the label {@code app.kubernetes.io/name}, else the label {@code app}. */
    private Optional<String> appName() {
        return optionalText("app-name")
                .or(() -> nonBlank(labels.get("app.kubernetes.io/name")))
                .or(() -> nonBlank(labels.get("app")));
    }

    /** The annotation when the pod has it (empty: no spans for this pod), else the config's endpoint. */
    private Optional<String> otlpEndpoint(InjectorConfig config) {
        if (!annotations.containsKey(PREFIX + "otlp-endpoint")) {
            return config.tracing().otlpEndpoint();
        }
        return value("otlp-endpoint", ValueChecks::optionalHttpUrl).filter(url -> !url.isEmpty());
    }

    private Map<String, String> resources(Map<String, String> configured, String cpuName, String memoryName) {
        Map<String, String> resources = new TreeMap<>(configured);
        value(cpuName, ValueChecks::quantity).ifPresent(cpu -> resources.put("cpu", cpu));
        value(memoryName, ValueChecks::quantity).ifPresent(memory -> resources.put("memory", memory));
        return resources;
    }

    /** The API server refuses a pod whose container requests more than its limit: name the annotation instead. */
    private void requestNotAboveLimit(Map<String, String> requests, Map<String, String> limits) {
        if (!problems.isEmpty()) {
            return;
        }
        String resource = Quantities.requestAboveLimit(requests, limits);
        if (resource != null) {
            String request = PREFIX + resource + "-request";
            String name = annotations.containsKey(request) ? request : PREFIX + resource + "-limit";
            problems.add("annotation " + name + " has value '" + annotations.get(name) + "': the " + resource
                    + " request " + requests.get(resource) + " is above the " + resource + " limit "
                    + limits.get(resource));
        }
    }

    private <T> Optional<T> value(String name, Function<String, T> parser) {
        String text = annotations.get(PREFIX + name);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(text.trim()));
        } catch (IllegalArgumentException e) {
            problems.add("annotation " + PREFIX + name + " has value '" + text + "': " + e.getMessage());
            return Optional.empty();
        }
    }

    private String text(String name) {
        return annotations.get(PREFIX + name).trim();
    }

    private Optional<String> optionalText(String name) {
        return nonBlank(annotations.get(PREFIX + name));
    }

    private List<String> unknownAnnotations() {
        List<String> warnings = new ArrayList<>();
        for (String key : new TreeMap<>(annotations).keySet()) {
            if (key.startsWith(PREFIX) && !NAMES.contains(key.substring(PREFIX.length()))) {
                warnings.add("annotation " + key + " is not known to the mep-sidecar injector and was ignored");
            }
        }
        return warnings;
    }

    private static Optional<String> nonBlank(String text) {
        return Optional.ofNullable(text).map(String::trim).filter(value -> !value.isEmpty());
    }
}
