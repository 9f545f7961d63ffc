package io.mepsidecar.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A small REST client of a Kubernetes API server: JSON over HTTPS with a bearer token. Paths are API paths such as
 * {@code /api/v1/namespaces/demo/pods}. Every answer other than 2xx is a {@link KubeApiException}.
 */
public final class KubeClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final String token;
    private final HttpClient http;
    private final Map<String, ApiResource> resources = new ConcurrentHashMap<>();

    /** Where objects of one apiVersion and kind live. */
    private record ApiResource(String collectionPrefix, String plural, boolean namespaced) {

        String collection(String namespace) {
            return namespaced ? collectionPrefix + "/namespaces/" + namespace + "/" + plural
                    : collectionPrefix + "/" + plural;
        }
    }

    public KubeClient(String baseUrl, String token, SSLContext tls) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The bearer token it sends (an admin of the test API server), e.g. for a kubeconfig. */
    public String token() {
        return token;
    }

    /** POSTs {@code json} to the collection at {@code path}; the object as stored. */
    public JsonNode create(String path, String json) {
        return KubeObjects.readJson(expectSuccess("POST", path, json));
    }

    public JsonNode get(String path) {
        return KubeObjects.readJson(expectSuccess("GET", path, null));
    }

    /** The object at {@code path}, or empty when the server answers 404. */
    public Optional<JsonNode> find(String path) {
        HttpResponse<String> response = send("GET", path, null);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(KubeObjects.readJson(check("GET", path, response)));
    }

    /** PUTs {@code json} (which must carry the current {@code metadata.resourceVersion}) to {@code path}. */
    public JsonNode replace(String path, String json) {
        return KubeObjects.readJson(expectSuccess("PUT", path, json));
    }

    public void delete(String path) {
        expectSuccess("DELETE", path, null);
    }

    /**
     * Creates every object of a manifest (YAML or JSON, see {@link KubeObjects#parse}), or replaces it when it exists;
     * namespaced objects without a namespace go to {@code default}. The objects as stored, in manifest order.
     */
    public List<JsonNode> apply(String yamlOrJson) {
        List<JsonNode> stored = new ArrayList<>();
        for (ObjectNode object : KubeObjects.parse(yamlOrJson)) {
            stored.add(apply(object));
        }
        return stored;
    }

    /**
     * Creates {@code object}, or replaces it when one of its kind and name exists. An object read from the server
     * may be given: its {@code resourceVersion} and {@code uid} are left out of the create.
     */
    public JsonNode apply(ObjectNode object) {
        String namespace = object.path("metadata").path("namespace").asText("default");
        String collection = resource(object).collection(namespace);
        ObjectNode fresh = object.deepCopy();
        fresh.withObjectProperty("metadata").remove(List.of("resourceVersion", "uid"));
        HttpResponse<String> created = send("POST", collection, KubeObjects.toJson(fresh));
        if (created.statusCode() != 409) {
            return KubeObjects.readJson(check("POST", collection, created));
        }
        String path = collection + "/" + KubeObjects.name(object);
        ObjectNode replacement = fresh;
        replacement.withObjectProperty("metadata")
                .put("resourceVersion", get(path).path("metadata").path("resourceVersion").asText());
        return replace(path, KubeObjects.toJson(replacement));
    }

    /** The path of the collection that holds objects like {@code object}, e.g. {@code /api/v1/namespaces/x/pods}. */
    public String collectionPath(JsonNode object) {
        return resource(object).collection(object.path("metadata").path("namespace").asText("default"));
    }

    /** Sends one request; the raw answer, whatever its status. */
    public HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + path, e);
        }
    }

    private String expectSuccess(String method, String path, String body) {
        return check(method, path, send(method, path, body));
    }

    private static String check(String method, String path, HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new KubeApiException(method, path, response.statusCode(), response.body());
        }
        return response.body();
    }

    /** Looks up (once per apiVersion) the resource that serves {@code object}'s kind, as kubectl's discovery does. */
    private ApiResource resource(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            throw new IllegalArgumentException("object without apiVersion or kind: " + object);
        }
        String key = apiVersion + "/" + kind;
        ApiResource known = resources.get(key);
        if (known != null) {
            return known;
        }
        String prefix = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
        for (JsonNode resource : get(prefix).path("resources")) {
            String name = resource.path("name").asText();
            if (!name.contains("/")) {
                resources.putIfAbsent(apiVersion + "/" + resource.path("kind").asText(),
                        new ApiResource(prefix, name, resource.path("namespaced").asBoolean()));
            }
        }
        ApiResource found = resources.get(key);
        if (found == null) {
            throw new IllegalArgumentException("the API server does not serve kind " + kind + " in " + apiVersion);
        }
        return found;
    }
}
