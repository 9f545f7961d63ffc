package io.mepsidecar.injector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides for one pod (its JSON as the API server sends it on CREATE): inject, as a JSON Patch, or skip with a
 * reason. Injecting twice is impossible: a pod with the container or the status annotation is skipped.
 */
public final class PodInjector {

    static final String DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";
    /** What Kubernetes uses when a pod does not say. */
    static final long DEFAULT_GRACE_SECONDS = 30;
    /** Time the pod keeps beyond the sidecar's own shutdown grace. */
    static final long GRACE_MARGIN_SECONDS = 10;

    private final InjectorConfig config;
    private final SidecarContainerFactory factory;

    public PodInjector(InjectorConfig config) {
        this.config = config;
        this.factory = new SidecarContainerFactory(config);
    }

    public InjectionDecision decide(JsonNode pod) {
        Map<String, String> annotations = strings(pod.path("metadata").path("annotations"));
        if (!SidecarAnnotations.injectionRequested(annotations)) {
            return InjectionDecision.skip(SkipReason.NOT_REQUESTED, List.of(), "no " + SidecarAnnotations.INJECT + ": \"true\"");
        }
        if (alreadyInjected(pod, annotations)) {
            return InjectionDecision.skip(SkipReason.ALREADY_INJECTED, List.of(), "pod has the sidecar already");
        }
        if (!pod.path("spec").path("containers").isArray()) {
            return InjectionDecision.skip(SkipReason.BAD_REQUEST, List.of("mep-sidecar not injected: the pod has no "
                    + "spec.containers"), "pod has no spec.containers");
        }
        List<String> taken = takenVolumeNames(pod.path("spec").path("volumes"));
        if (!taken.isEmpty()) {
            String why = "the pod already has a volume named " + String.join(" and ", taken)
                    + ", which the sidecar needs; rename it";
            return InjectionDecision.skip(SkipReason.NAME_CONFLICT, notInjected(List.of(why)), why);
        }
        SidecarSpec spec;
        try {
            spec = SidecarAnnotations.read(annotations, strings(pod.path("metadata").path("labels")), config);
        } catch (InvalidAnnotationException e) {
            return InjectionDecision.skip(SkipReason.INVALID_ANNOTATION, notInjected(e.problems()), e.getMessage());
        }
        if (spec.appName().isEmpty()) {
            String why = "no app name: set the annotation " + SidecarAnnotations.PREFIX
                    + "app-name, or the label app.kubernetes.io/name or app";
            return InjectionDecision.skip(SkipReason.NO_APP_NAME, notInjected(List.of(why)), why);
        }
        return InjectionDecision.inject(patch(pod, spec, annotations), spec.mode(), spec.warnings());
    }

    private ArrayNode patch(JsonNode pod, SidecarSpec spec,
            Map<String, String> annotations) {
        JsonNode metadata = pod.path("metadata");
        JsonNode podSpec = pod.path("spec");
        JsonPatchOps ops = new JsonPatchOps();
        if (spec.mode() == InjectionMode.NATIVE) {
            ops.prepend("/spec/initContainers", podSpec.path("initContainers"), factory.container(spec, spec.appName().get()));
        } else {
            ops.prepend("/spec/containers", podSpec.path("containers"), factory.container(spec, spec.appName().get()));
        }
        spec.tokenSecret().ifPresent(secret -> addTokenEnvToApps(ops, podSpec.path("containers"), spec, secret));
        ops.append("/spec/volumes", podSpec.path("volumes"), factory.volumes(spec));
        long grace = requiredGraceSeconds(spec);
        JsonNode current = podSpec.path("terminationGracePeriodSeconds");
        if (current.canConvertToLong() ? current.asLong() < grace : DEFAULT_GRACE_SECONDS < grace) {
            ops.set("/spec/terminationGracePeriodSeconds", IntNode.valueOf((int) grace));
        }
        ops.putAll("/metadata/labels", metadata.path("labels"), Map.of(SidecarAnnotations.INJECTED_LABEL, "true"));
        ops.putAll("/metadata/annotations", metadata.path("annotations"), podAnnotations(pod, spec, annotations));
        return ops.toJson();
    }

    /**
     * Each app container gets the token variables it does not define itself, so that it can send the sidecar's API
     * token and check the token the sidecar sends. In plain mode the sidecar was just put first, so the app
     * containers are one index further on.
     */
    private void addTokenEnvToApps(JsonPatchOps ops, JsonNode containers, SidecarSpec spec, String secret) {
        int shift = spec.mode() == InjectionMode.PLAIN ? 1 : 0;
        for (int index = 0; index < containers.size(); index++) {
            JsonNode env = containers.get(index).path("env");
            List<ObjectNode> missing = factory.tokenEnv(secret).stream()
                    .filter(variable -> !defines(env, variable.path("name").asText())).toList();
            if (!missing.isEmpty()) {
                ops.append("/spec/containers/" + (index + shift) + "/env", env, missing);
            }
        }
    }

    private static boolean defines(JsonNode env, String name) {
        for (JsonNode variable : env) {
            if (name.equals(variable.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private Map<String, String> podAnnotations(JsonNode pod, SidecarSpec spec, Map<String, String> annotations) {
        Map<String, String> added = new LinkedHashMap<>();
        added.put(SidecarAnnotations.STATUS, "injected");
        if (config.prometheusAnnotations() && !annotations.containsKey("prometheus.io/scrape")) {
            added.put("prometheus.io/scrape", "true");
            added.put("prometheus.io/port", String.valueOf(SidecarContainerFactory.MANAGEMENT_PORT));
            added.put("prometheus.io/path", "/q/metrics");
        }
        String firstApp = pod.path("spec").path("containers").path(0).path("name").asText("");
        if (spec.mode() == InjectionMode.PLAIN && !annotations.containsKey(DEFAULT_CONTAINER) && !firstApp.isEmpty()) {
            added.put(DEFAULT_CONTAINER, firstApp);
        }
        return added;
    }

    /**
     * The sidecar's shutdown grace, rounded up to whole seconds, plus the margin; in plain mode also its preStop
     * sleep, which the kubelet counts in the pod's grace period before the sidecar even gets SIGTERM.
     */
    private long requiredGraceSeconds(SidecarSpec spec) {
        long millis = spec.shutdownGraceDuration().toMillis();
        long preStop = spec.mode() == InjectionMode.PLAIN ? config.preStopSleepSeconds() : 0;
        return (millis + 999) / 1000 + GRACE_MARGIN_SECONDS + preStop;
    }

    private static List<String> takenVolumeNames(JsonNode volumes) {
        List<String> taken = new ArrayList<>();
        for (JsonNode volume : volumes) {
            String name = volume.path("name").asText();
            if (name.equals(SidecarContainerFactory.CONTRACT_VOLUME) || name.equals(SidecarContainerFactory.TMP_VOLUME)) {
                taken.add(name);
            }
        }
        return taken;
    }

    private static boolean alreadyInjected(JsonNode pod, Map<String, String> annotations) {
        return annotations.containsKey(SidecarAnnotations.STATUS)
                || hasSidecar(pod.path("spec").path("containers"))
                || hasSidecar(pod.path("spec").path("initContainers"));
    }

    private static boolean hasSidecar(JsonNode containers) {
        for (JsonNode container : containers) {
            if (SidecarContainerFactory.CONTAINER_NAME.equals(container.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private static List<String> notInjected(List<String> problems) {
        List<String> warnings = new ArrayList<>();
        problems.forEach(problem -> warnings.add("mep-sidecar not injected: " + problem));
        return warnings;
    }

    static Map<String, String> strings(JsonNode map) {
        Map<String, String> strings = new LinkedHashMap<>();
        map.fields().forEachRemaining(entry -> strings.put(entry.getKey(), entry.getValue().asText()));
        return strings;
    }
}
