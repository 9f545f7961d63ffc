package io.mepsidecar.injector;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads a pod with the fabric8 Kubernetes model and lists every field the model does not know: those land silently
 * in a model object's {@code additionalProperties}, so a misspelt field in what the injector adds shows up here.
 */
final class KubernetesModelCheck {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private KubernetesModelCheck() {
    }

    /** @return {@code path: [unknown keys]} for every model object that has some */
    static List<String> unknownFields(String podJson) {
        Pod pod = SERIALIZATION.unmarshal(podJson, Pod.class);
        List<String> found = new ArrayList<>();
        walk(pod, "pod", found);
        return found;
    }

    private static void walk(Object value, String path, List<String> found) {
        if (value instanceof Collection) {
            int index = 0;
            for (Object element : (Collection<?>) value) {
                walk(element, path + "[" + index++ + "]", found);
            }
        } else if (value instanceof Map) {
            ((Map<?, ?>) value).forEach((key, element) -> walk(element, path + "." + key, found));
        } else if (value != null && value.getClass().getName().startsWith(MODEL_PACKAGE)) {
            walkModel(value, path, found);
        }
    }

    private static void walkModel(Object model, String path, List<String> found) {
        for (Method getter : model.getClass().getMethods()) {
            if (!isGetter(getter)) {
                continue;
            }
            Object value = invoke(getter, model);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map && !((Map<?, ?>) value).isEmpty()) {
                    found.add(path + ": " + ((Map<?, ?>) value).keySet());
                }
            } else {
                walk(value, path + "." + getter.getName().substring(3), found);
            }
        }
    }

    private static boolean isGetter(Method method) {
        return method.getName().startsWith("get") && method.getParameterCount() == 0
                && !Modifier.isStatic(method.getModifiers()) && !method.getName().equals("getClass");
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot call " + getter, e);
        }
    }
}
