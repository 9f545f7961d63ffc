package io.mepsidecar.kube;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.mepsidecar.testing.FreePorts;

/**
 * A real Kubernetes API server (v1.20.2, built from Debian's source package by
 * {@code src/test/kube/build-kube-apiserver.sh}) with its own etcd, both on 127.0.0.1 on free ports, data in a
 * temporary directory. Admission webhooks are called for real; there is no controller-manager, scheduler or kubelet.
 * Clients authenticate with a static token of a {@code system:masters} user. Logs go to {@code target/kube-logs/}.
 * {@link #close()} stops both processes and deletes the data.
 */
public final class KubeApiServer implements AutoCloseable {

    public static final String BUILD_SCRIPT = "src/test/kube/build-kube-apiserver.sh";
    public static final String VERSION = "v1.20.2";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration WEBHOOK_ACTIVE = Duration.ofSeconds(30);
    private static final Path LOG_DIR = Path.of("target", "kube-logs");

    private final Path workDir;
    private final List<Process> processes = new ArrayList<>();
    private final Thread stopOnExit = new Thread(this::killAll, "kube-apiserver-stop");
    private TestPki pki;
    private KubeClient client;
    private int port;

    private KubeApiServer(Path workDir) {
        this.workDir = workDir;
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** Starts etcd and the API server and returns once {@code /readyz} answers 200. */
    public static KubeApiServer start() {
        Path binary = binary();
        Path etcd = etcdBinary();
        KubeApiServer server;
        try {
            server = new KubeApiServer(Files.createTempDirectory("kube-apiserver-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            server.launch(binary, etcd);
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** The API server's URL, e.g. {@code https://127.0.0.1:43121}. */
    public String url() {
        return "https://127.0.0.1:" + port;
    }

    public KubeClient client() {
        return client;
    }

    /** The CA that signed the API server's certificate; tests may sign their webhooks' certificates with it too. */
    public TestPki pki() {
        return pki;
    }

    public JsonNode create(String path, String json) {
        return client.create(path, json);
    }

    public JsonNode get(String path) {
        return client.get(path);
    }

    public void delete(String path) {
        client.delete(path);
    }

    /** Creates or replaces every object of a manifest: see {@link KubeClient#apply(String)}. */
    public List<JsonNode> apply(String yamlOrJson) {
        return client.apply(yamlOrJson);
    }

    /**
     * Creates Pods named {@code namePrefix-1}, {@code -2}, ... in {@code namespace} from {@code podJson(name)} until
     * the API server stores one that {@code mutated} accepts, deleting the others; that Pod as stored. An API server
     * calls a new webhook configuration only a moment after it is stored (and one with {@code failurePolicy: Ignore}
     * may fail open while its webhook starts), so a test cannot rely on its first Pod.
     */
    public JsonNode createPodUntil(String namespace, String namePrefix, Function<String, String> podJson,
            Predicate<JsonNode> mutated) {
        String pods = "/api/v1/namespaces/" + namespace + "/pods";
        AtomicInteger attempt = new AtomicInteger();
        AtomicReference<JsonNode> accepted = new AtomicReference<>();
        await("a Pod in " + namespace + " as the webhook makes it").atMost(WEBHOOK_ACTIVE)
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    String name = namePrefix + "-" + attempt.incrementAndGet();
                    JsonNode pod = create(pods, podJson.apply(name));
                    if (mutated.test(pod)) {
                        accepted.set(pod);
                        return true;
                    }
                    delete(pods + "/" + name);
                    return false;
                });
        return accepted.get();
    }

    private void launch(Path binary, Path etcd) {
        pki = TestPki.create(createDir(workDir.resolve("pki")));
        int etcdPort = FreePorts.next();
        startEtcd(etcd, etcdPort);
        port = FreePorts.next();
        String token = UUID.randomUUID().toString();
        Path tokens = write(workDir.resolve("tokens.csv"), token + ",admin,admin,system:masters\n");
        TestPki.PemPair serving = pki.issueServerCert("kube-apiserver", List.of("127.0.0.1"), List.of("localhost"));
        Path serviceAccountKey = pki.rsaKey("service-account");
        Process apiServer = startProcess("kube-apiserver-" + port, List.of(binary.toString(),
                "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
                "--secure-port=" + port, "--insecure-port=0",
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--tls-cert-file=" + serving.cert(), "--tls-private-key-file=" + serving.key(),
                "--client-ca-file=" + pki.ca().cert(),
                "--token-auth-file=" + tokens,
                "--authorization-mode=RBAC",
                "--disable-admission-plugins=ServiceAccount",
                "--endpoint-reconciler-type=none",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file=" + serviceAccountKey,
                "--service-account-signing-key-file=" + serviceAccountKey,
                "--allow-privileged=true",
                "--profiling=false",
                "--v=1"));
        client = new KubeClient(url(), token, pki.clientContext());
        await("kube-apiserver " + url() + " ready (log: " + log("kube-apiserver-" + port) + ")")
                .atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .failFast("kube-apiserver exited; see " + log("kube-apiserver-" + port), () -> !apiServer.isAlive())
                .until(() -> client.send("GET", "/readyz", null).statusCode() == 200);
    }

    private void startEtcd(Path etcd, int clientPort) {
        int peerPort = FreePorts.next();
        String clientUrl = "http://127.0.0.1:" + clientPort;
        String peerUrl = "http://127.0.0.1:" + peerPort;
        Process process = startProcess("etcd-" + clientPort, List.of(etcd.toString(),
                "--name=kube-test", "--data-dir=" + workDir.resolve("etcd"),
                "--listen-client-urls=" + clientUrl, "--advertise-client-urls=" + clientUrl,
                "--listen-peer-urls=" + peerUrl, "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=kube-test=" + peerUrl, "--initial-cluster-state=new",
                "--logger=zap", "--log-level=warn"));
        HttpClient http = HttpClient.newHttpClient();
        await("etcd " + clientUrl + " healthy (log: " + log("etcd-" + clientPort) + ")")
                .atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .failFast("etcd exited; see " + log("etcd-" + clientPort), () -> !process.isAlive())
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(clientUrl + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("\"health\":\"true\""));
    }

    private Process startProcess(String name, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log(name).toFile());
        Map<String, String> env = builder.environment();
        Stream.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy").forEach(env::remove);
        try {
            Process process = builder.start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    /** Stops the API server, then etcd (SIGTERM, then SIGKILL), and deletes their data. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            stop(processes.get(i));
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway
        }
        deleteRecursively(workDir);
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    /** The kube-apiserver binary: system property {@code kube.apiserver}, env {@code MEP_KUBE_APISERVER}, or the cache. */
    static Path binary() {
        String configured = System.getProperty("kube.apiserver", System.getenv("MEP_KUBE_APISERVER"));
        Path binary = configured != null && !configured.isBlank() ? Path.of(configured) : cacheDir()
                .resolve("kube-apiserver-" + VERSION);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("no kube-apiserver at " + binary + ": run " + BUILD_SCRIPT
                    + " (builds it in about 7 minutes and caches it there), or set -Dkube.apiserver=PATH"
                    + " or MEP_KUBE_APISERVER");
        }
        return binary;
    }

    private static Path cacheDir() {
        String cache = System.getenv("MEP_KUBE_CACHE");
        return cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "mep-sidecar");
    }

    private static Path etcdBinary() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin");
        return Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, "etcd")).filter(Files::isExecutable)
                .findFirst().orElseThrow(() -> new IllegalStateException("no etcd on the PATH: install the Debian"
                        + " package etcd-server (" + BUILD_SCRIPT + " does)"));
    }

    private static Path log(String name) {
        return createDir(LOG_DIR).resolve(name + ".log").toAbsolutePath();
    }

    private static Path createDir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path file, String content) {
        try {
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
