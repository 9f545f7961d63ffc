package io.mepsidecar.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads each object into fabric8's typed model: a wrong type fails in Jackson, and a field the model does not know
 * (a misspelt one) lands in some model's additionalProperties, which this walk reports. Objects of kinds fabric8
 * has no model for come back as GenericKubernetesResource: checked by the caller.
 */
final class Fabric8Validator {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Fabric8Validator() {
    }

    /** Problems of one object, "Kind/name: field: message"; empty when fabric8 reads every field of it. */
    static List<String> problems(JsonNode object) {
        String name = object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
        KubernetesResource resource;
        try {
            resource = SERIALIZATION.unmarshal(object.toString(), KubernetesResource.class);
        } catch (RuntimeException e) {
            return List.of(name + ": " + rootMessage(e));
        }
        if (resource instanceof GenericKubernetesResource) {
            return List.of(name + ": no fabric8 model for " + object.path("apiVersion").asText());
        }
        List<String> problems = new ArrayList<>();
        walk(resource, "", name, problems);
        return problems;
    }

    static boolean hasModel(JsonNode object) {
        return !(SERIALIZATION.unmarshal(object.toString(), KubernetesResource.class) instanceof GenericKubernetesResource);
    }

    private static void walk(Object value, String path, String name, List<String> problems) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", name, problems);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> walk(item, path + "." + key, name, problems));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object child = invoke(getter, value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
                    for (Object key : unknown.keySet()) {
                        problems.add(name + ": " + (path.isEmpty() ? "" : path.substring(1) + ".") + key
                                + ": unknown field (not in the " + value.getClass().getSimpleName() + " model)");
                    }
                }
            } else {
                walk(child, path + "." + property(getter.getName()), name, problems);
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }

    private static String property(String getterName) {
        String property = getterName.substring(3);
        return Character.toLowerCase(property.charAt(0)) + property.substring(1);
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage().lines().findFirst().orElse(cause.toString());
    }
}
