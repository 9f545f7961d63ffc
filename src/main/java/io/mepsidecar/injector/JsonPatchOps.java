package io.mepsidecar.injector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * JSON Patch (RFC 6902) {@code add} operations against a document whose shape is known: an absent map or array is
 * added whole, because {@code add} into a missing parent fails. Keys in paths are escaped as RFC 6901 says.
 */
final class JsonPatchOps {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ArrayNode ops = JSON.arrayNode();

    /** Adds an element at index 0 of the array at {@code path}, or the array itself when {@code current} is absent. */
    void prepend(String path, JsonNode current, JsonNode element) {
        if (current.isArray()) {
            add(path + "/0", element);
        } else {
            add(path, JSON.arrayNode().add(element));
        }
    }

    /** Appends elements to the array at {@code path}, or adds the array when {@code current} is absent. */
    void append(String path, JsonNode current, List<? extends JsonNode> elements) {
        if (current.isArray()) {
            elements.forEach(element -> add(path + "/-", element));
        } else {
            add(path, JSON.arrayNode().addAll(elements));
        }
    }

    /** Puts string entries into the map at {@code path}, or adds the map when {@code current} is absent. */
    void putAll(String path, JsonNode current, Map<String, String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        if (current.isObject()) {
            entries.forEach((key, value) -> add(path + "/" + escape(key), JSON.textNode(value)));
        } else {
            ObjectNode map = JSON.objectNode();
            entries.forEach(map::put);
            add(path, map);
        }
    }

    /** {@code add} replaces a member that exists, and creates it when its parent exists. */
    void set(String path, JsonNode value) {
        add(path, value);
    }

    ArrayNode toJson() {
        return ops.deepCopy();
    }

    /** RFC 6901: {@code ~} becomes {@code ~0}, then {@code /} becomes {@code ~1}. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private void add(String path, JsonNode value) {
        ObjectNode op = ops.addObject().put("op", "add").put("path", path);
        op.set("value", value);
    }
}
