package io.mepsidecar.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers the chart's one `lookup` (the webhook's TLS Secret) on 127.0.0.1, where `helm install` would ask the
 * cluster. helm-java's template, unlike the `helm template` CLI, runs the lookup against the cluster of
 * KUBECONFIG; the surefire configuration points KUBECONFIG at the file this class writes, so no test ever
 * reaches a real cluster, and a test can hand the chart a Secret "already in the cluster".
 */
final class KubeApiStandIn {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Map<String, Object>> SECRETS = new ConcurrentHashMap<>();
    private static HttpServer server;

    private KubeApiStandIn() {
    }

    /** Starts once per test JVM and writes the kubeconfig that KUBECONFIG names. */
    static synchronized void ensureStarted() {
        if (server != null) {
            return;
        }
        String kubeconfig = System.getenv("KUBECONFIG");
        if (kubeconfig == null || !kubeconfig.contains("k8s-test")) {
            throw new IllegalStateException("KUBECONFIG must name target/k8s-test/kubeconfig (set by the surefire"
                    + " configuration in pom.xml; run the tests with ./mvnw), not " + kubeconfig);
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", KubeApiStandIn::handle);
            server.start();
            Path file = Path.of(kubeconfig);
            Files.createDirectories(file.getParent());
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                      - name: stand-in
                        cluster:
                          server: http://127.0.0.1:%d
                    contexts:
                      - name: stand-in
                        context:
                          cluster: stand-in
                          namespace: default
                    current-context: stand-in
                    """.formatted(server.getAddress().getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Secret the next renders find in the cluster. */
    static void putSecret(String namespace, String name, Map<String, String> data) {
        SECRETS.put(namespace + "/" + name, Map.of("apiVersion", "v1", "kind", "Secret",
                "metadata", Map.of("name", name, "namespace", namespace), "type", "kubernetes.io/tls", "data", data));
    }

    static void removeSecret(String namespace, String name) {
        SECRETS.remove(namespace + "/" + name);
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String[] parts = path.split("/");
        if (path.equals("/api/v1")) {
            answer(exchange, 200, Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", "v1",
                    "resources", List.of(Map.of("name", "secrets", "singularName", "secret", "namespaced", true,
                            "kind", "Secret", "verbs", List.of("get", "list")))));
        } else if (path.equals("/api")) {
            answer(exchange, 200, Map.of("kind", "APIVersions", "versions", List.of("v1"),
                    "serverAddressByClientCIDRs", List.of()));
        } else if (path.equals("/apis")) {
            answer(exchange, 200, Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", List.of()));
        } else if (parts.length == 7 && path.startsWith("/api/v1/namespaces/") && parts[5].equals("secrets")) {
            Map<String, Object> secret = SECRETS.get(parts[4] + "/" + parts[6]);
            if (secret != null) {
                answer(exchange, 200, secret);
            } else {
                notFound(exchange, "secrets \"" + parts[6] + "\" not found", "secrets", parts[6]);
            }
        } else {
            notFound(exchange, "the server could not find the requested resource", "", "");
        }
    }

    private static void notFound(HttpExchange exchange, String message, String kind, String name) throws IOException {
        answer(exchange, 404, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "message", message,
                "reason", "NotFound", "details", Map.of("name", name, "kind", kind), "code", 404));
    }

    private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
