package io.mepsidecar.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** Kubernetes objects as Jackson trees: parsing manifests (YAML, several documents, or JSON) and picking from them. */
public final class KubeObjects {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());

    private KubeObjects() {
    }

    /**
     * The objects in a manifest: YAML with any number of {@code ---} documents (as {@code helm template} prints), or
     * JSON. Empty documents are skipped; a {@code List} is replaced by its items.
     */
    public static List<ObjectNode> parse(String yamlOrJson) {
        List<ObjectNode> objects = new ArrayList<>();
        try (JsonParser parser = YAML.createParser(yamlOrJson);
                MappingIterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class)) {
            while (documents.hasNext()) {
                add(objects, documents.next());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a YAML or JSON manifest", e);
        }
        return objects;
    }

    /** The objects of {@code kind} in a manifest. */
    public static List<ObjectNode> ofKind(String yamlOrJson, String kind) {
        return parse(yamlOrJson).stream().filter(object -> kind.equals(object.path("kind").asText())).toList();
    }

    /** The only object of {@code kind} in a manifest; fails when there is none or more than one. */
    public static ObjectNode single(String yamlOrJson, String kind) {
        List<ObjectNode> found = ofKind(yamlOrJson, kind);
        if (found.size() != 1) {
            throw new IllegalArgumentException("expected one " + kind + " in the manifest, found " + found.size());
        }
        return found.get(0);
    }

    public static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    /** The decoded value of {@code key} in a Secret's {@code data} (e.g. {@code tls.crt} of a TLS Secret). */
    public static String secretData(JsonNode secret, String key) {
        JsonNode value = secret.path("data").path(key);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("Secret " + name(secret) + " has no data." + key);
        }
        return new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8);
    }

    public static String toJson(JsonNode object) {
        try {
            return JSON.writeValueAsString(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static void add(List<ObjectNode> objects, JsonNode document) {
        if (document == null || !document.isObject() || document.isEmpty()) {
            return;
        }
        if (document.path("kind").asText().endsWith("List") && document.path("items").isArray()) {
            document.path("items").forEach(item -> add(objects, item));
            return;
        }
        objects.add((ObjectNode) document);
    }
}
