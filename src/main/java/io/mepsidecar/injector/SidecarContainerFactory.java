package io.mepsidecar.injector;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds the {@code mep-sidecar} container and its two volumes as Kubernetes JSON. */
public final class SidecarContainerFactory {

    public static final String CONTAINER_NAME = "mep-sidecar";
    public static final String CONTRACT_VOLUME = "mep-contract";
    public static final String TMP_VOLUME = "mep-tmp";
    public static final int MANAGEMENT_PORT = 9000;
    /** The sidecar's token for calls to its API; the app sends it. */
    public static final String API_TOKEN_ENV = "MEP_API_TOKEN";
    /** The token the sidecar sends to its app; the app checks it. */
    public static final String APP_TOKEN_ENV = "MEP_APP_TOKEN";
    static final Set<String> INJECTED_ENV = Set.of("MEP_APP_NAME", "MEP_INSTANCE_ID", "MEP_CONTRACT", "MEP_APP_URL",
            "MEP_SERVES", "MEP_CALLS", "MEP_APP_HEALTH_PATH", "MEP_SERVICE_MAX_CONCURRENCY", "MEP_SERVICE_CONSUMPTION",
            API_TOKEN_ENV, APP_TOKEN_ENV, "MEP_SHUTDOWN_GRACE", "KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_LOG_LEVEL",
            "MEP_TRACING_OTLP_ENDPOINT");
    /**
     * Settings the injected container depends on as the image has them: the API on 127.0.0.1 only, health and
     * metrics on port 9000 (probes, the {@code mep-metrics} port, Prometheus annotations).
     */
    static final Set<String> FIXED_ENV = Set.of("QUARKUS_HTTP_HOST", "QUARKUS_HTTP_PORT", "QUARKUS_MANAGEMENT_HOST",
            "QUARKUS_MANAGEMENT_PORT", "QUARKUS_MANAGEMENT_ENABLED");
    private static final String STARTED_URL = "http://127.0.0.1:" + MANAGEMENT_PORT + "/q/health/started";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final InjectorConfig config;

    public SidecarContainerFactory(InjectorConfig config) {
        this.config = config;
    }

    public ObjectNode container(SidecarSpec spec, String appName) {
        ObjectNode container = JSON.objectNode()
                .put("name", CONTAINER_NAME)
                .put("image", config.image())
                .put("imagePullPolicy", config.imagePullPolicy());
        if (spec.mode() == InjectionMode.NATIVE) {
            container.put("restartPolicy", "Always");
        }
        container.set("ports", JSON.arrayNode().add(JSON.objectNode()
                .put("name", "mep-metrics").put("containerPort", MANAGEMENT_PORT).put("protocol", "TCP")));
        container.set("env", env(spec, appName));
        config.kafka().envFromSecret().ifPresent(secret -> container.set("envFrom",
                JSON.arrayNode().add(JSON.objectNode().set("secretRef", JSON.objectNode().put("name", secret)))));
        container.set("resources", resources(spec));
        container.set("volumeMounts", JSON.arrayNode()
                .add(JSON.objectNode().put("name", CONTRACT_VOLUME).put("mountPath", "/etc/mep").put("readOnly", true))
                .add(JSON.objectNode().put("name", TMP_VOLUME).put("mountPath", "/tmp")));
        container.set("startupProbe", probe("/q/health/started", 1).put("failureThreshold", 120));
        container.set("readinessProbe", probe("/q/health/ready", 5));
        container.set("livenessProbe", probe("/q/health/live", 10).put("failureThreshold", 3));
        if (spec.mode() == InjectionMode.PLAIN) {
            container.set("lifecycle", lifecycle());
        }
        container.set("securityContext", securityContext());
        return container;
    }

    /**
     * {@code MEP_API_TOKEN} from the Secret's key {@code api-token}, required: without it the kubelet does not start
     * the container (CreateContainerConfigError) rather than run it open; {@code MEP_APP_TOKEN} from {@code app-token},
     * optional. The same two variables go to the sidecar and to the pod's app containers.
     */
    public List<ObjectNode> tokenEnv(String secret) {
        return List.of(secretKeyEnv(API_TOKEN_ENV, secret, "api-token", false),
                secretKeyEnv(APP_TOKEN_ENV, secret, "app-token", true));
    }

    public List<ObjectNode> volumes(SidecarSpec spec) {
        ObjectNode contract = JSON.objectNode().put("name", CONTRACT_VOLUME);
        contract.set("configMap", JSON.objectNode().put("name", spec.contractConfigMap()));
        ObjectNode tmp = JSON.objectNode().put("name", TMP_VOLUME);
        tmp.set("emptyDir", JSON.objectNode().put("medium", "Memory").put("sizeLimit", "64Mi"));
        return List.of(contract, tmp);
    }

    private ArrayNode env(SidecarSpec spec, String appName) {
        ArrayNode env = JSON.arrayNode();
        add(env, "MEP_APP_NAME", appName);
        ObjectNode instance = env.addObject().put("name", "MEP_INSTANCE_ID");
        instance.set("valueFrom", JSON.objectNode().set("fieldRef", JSON.objectNode().put("fieldPath", "metadata.name")));
        add(env, "MEP_CONTRACT", "/etc/mep/contract.yaml");
        add(env, "MEP_APP_URL", "http://127.0.0.1:" + spec.appPort());
        spec.serves().ifPresent(serves -> add(env, "MEP_SERVES", serves));
        spec.calls().ifPresent(calls -> add(env, "MEP_CALLS", calls));
        spec.appHealthPath().ifPresent(path -> add(env, "MEP_APP_HEALTH_PATH", path));
        spec.maxConcurrency().ifPresent(max -> add(env, "MEP_SERVICE_MAX_CONCURRENCY", String.valueOf(max)));
        spec.consumption().ifPresent(consumption -> add(env, "MEP_SERVICE_CONSUMPTION", consumption));
        spec.tokenSecret().ifPresent(secret -> env.addAll(tokenEnv(secret)));
        add(env, "MEP_SHUTDOWN_GRACE", spec.shutdownGrace());
        add(env, "KAFKA_BOOTSTRAP_SERVERS", spec.bootstrapServers());
        add(env, "QUARKUS_LOG_LEVEL", spec.logLevel());
        spec.otlpEndpoint().ifPresent(url -> add(env, "MEP_TRACING_OTLP_ENDPOINT", url));
        config.env().forEach((name, value) -> add(env, name, value));
        return env;
    }

    private static void add(ArrayNode env, String name, String value) {
        env.addObject().put("name", name).put("value", value);
    }

    private static ObjectNode secretKeyEnv(String name, String secret, String key, boolean optional) {
        ObjectNode ref = JSON.objectNode().put("name", secret).put("key", key);
        if (optional) {
            ref.put("optional", true);
        }
        ObjectNode variable = JSON.objectNode().put("name", name);
        variable.set("valueFrom", JSON.objectNode().set("secretKeyRef", ref));
        return variable;
    }

    private static ObjectNode resources(SidecarSpec spec) {
        ObjectNode resources = JSON.objectNode();
        if (!spec.requests().isEmpty()) {
            resources.set("requests", quantities(spec.requests()));
        }
        if (!spec.limits().isEmpty()) {
            resources.set("limits", quantities(spec.limits()));
        }
        return resources;
    }

    private static ObjectNode quantities(Map<String, String> values) {
        ObjectNode node = JSON.objectNode();
        values.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> node.put(entry.getKey(), entry.getValue()));
        return node;
    }

    private static ObjectNode probe(String path, int periodSeconds) {
        ObjectNode probe = JSON.objectNode();
        probe.set("httpGet", JSON.objectNode().put("path", path).put("port", MANAGEMENT_PORT));
        return probe.put("periodSeconds", periodSeconds);
    }

    /**
     * postStart holds the pod's next containers until the sidecar has started (kubelet starts containers in order
     * and waits for each postStart hook); it gives up after about two minutes, like the startup probe. preStop keeps
     * the sidecar up a little while the app stops.
     */
    private ObjectNode lifecycle() {
        String waitForStart = "i=0; until wget -q -T 2 -O /dev/null " + STARTED_URL
                + "; do i=$((i+1)); if [ $i -ge 120 ]; then exit 1; fi; sleep 1; done";
        ObjectNode lifecycle = JSON.objectNode();
        lifecycle.set("postStart", exec("/bin/sh", "-c", waitForStart));
        lifecycle.set("preStop", exec("/bin/sleep", String.valueOf(config.preStopSleepSeconds())));
        return lifecycle;
    }

    private static ObjectNode exec(String... command) {
        ArrayNode array = JSON.arrayNode();
        for (String part : command) {
            array.add(part);
        }
        return JSON.objectNode().set("exec", JSON.objectNode().set("command", array));
    }

    private static ObjectNode securityContext() {
        ObjectNode context = JSON.objectNode()
                .put("runAsNonRoot", true)
                .put("runAsUser", 65532)
                .put("runAsGroup", 65532)
                .put("allowPrivilegeEscalation", false)
                .put("readOnlyRootFilesystem", true);
        context.set("capabilities", JSON.objectNode().set("drop", JSON.arrayNode().add("ALL")));
        context.set("seccompProfile", JSON.objectNode().put("type", "RuntimeDefault"));
        return context;
    }
}
