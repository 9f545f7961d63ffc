package io.mepsidecar.injector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads AdmissionReview requests and writes the responses ({@code admission.k8s.io/v1} only). */
public final class AdmissionReviews {

    public static final String API_VERSION = "admission.k8s.io/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdmissionReviews() {
    }

    /** @throws IllegalArgumentException when the body is not a v1 AdmissionReview with a request uid */
    public static AdmissionRequest read(byte[] body) {
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON", e);
        }
        if (review == null || !review.isObject() || !"AdmissionReview".equals(review.path("kind").asText())) {
            throw new IllegalArgumentException("the body is not an AdmissionReview");
        }
        if (!API_VERSION.equals(review.path("apiVersion").asText())) {
            throw new IllegalArgumentException("only apiVersion " + API_VERSION + " is supported");
        }
        JsonNode request = review.path("request");
        String uid = request.path("uid").asText("");
        if (uid.isEmpty()) {
            throw new IllegalArgumentException("the AdmissionReview has no request.uid");
        }
        return new AdmissionRequest(uid, request.path("namespace").asText(""), request.path("operation").asText(""),
                request.path("kind").path("kind").asText(""), request.path("object"));
    }

    /** Always {@code allowed: true}: the injector never blocks a pod. */
    public static byte[] response(String uid, InjectionDecision decision) {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", API_VERSION).put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response").put("uid", uid).put("allowed", true);
        decision.patch().ifPresent(patch -> response.put("patchType", "JSONPatch").put("patch", encode(patch)));
        if (!decision.warnings().isEmpty()) {
            ArrayNode warnings = response.putArray("warnings");
            decision.warnings().forEach(warnings::add);
        }
        response.putObject("auditAnnotations").put("decision", decision.summary());
        try {
            return JSON.writeValueAsBytes(review);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an AdmissionReview", e);
        }
    }

    private static String encode(ArrayNode patch) {
        return Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8));
    }
}
