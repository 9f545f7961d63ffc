package io.mepsidecar.injector;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an {@code admission.k8s.io/v1} AdmissionReview's request the injector uses.
 *
 * @param object the pod, or a missing node when the request has none
 */
public record AdmissionRequest(String uid, String namespace, String operation, String kind, JsonNode object) {

    /** The pod's name; at CREATE often only its {@code generateName} is known. */
    public String podName() {
        JsonNode metadata = object.path("metadata");
        String name = metadata.path("name").asText("");
        if (!name.isEmpty()) {
            return name;
        }
        String generateName = metadata.path("generateName").asText("");
        return generateName.isEmpty() ? "(unnamed)" : generateName + "*";
    }
}
