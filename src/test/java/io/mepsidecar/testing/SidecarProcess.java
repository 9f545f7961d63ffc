package io.mepsidecar.testing;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A sidecar started as its own process from the packaged artifact ({@code target/quarkus-app/quarkus-run.jar}, or the
 * {@code sidecar.jar} system property), configured only through environment variables, as in a pod.
 */
public final class SidecarProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final long launchedNanos;
    private volatile Duration readyAfter;

    private SidecarProcess(Process process, int port, int managementPort, Path log, long launchedNanos) {
        this.launchedNanos = launchedNanos;
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * From the launch of the process to the first UP of its readiness probe, as {@link Builder#start()} saw it
     * (within its poll interval); null before.
     */
    public Duration readyAfter() {
        return readyAfter;
    }

    public static Builder builder(String appName) {
        return new Builder(appName);
    }

    /** Base URL of the sidecar's API, e.g. {@code http://127.0.0.1:7070}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The port of the sidecar's API on 127.0.0.1. */
    public int port() {
        return port;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return log;
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operating system's id of the process. */
    public long pid() {
        return process.pid();
    }

    /** The exit code; only valid once the process has exited. */
    public int exitCode() {
        return process.exitValue();
    }

    /** Sends SIGTERM, as Kubernetes does to stop a container, and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Kills the process at once (SIGKILL), as a crash or an OOM kill would. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Waits for the process to exit; its exit code, or empty when it still runs after {@code timeout}. */
    public OptionalInt awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Settings of a sidecar process; every one becomes an environment variable of the process. */
    public static final class Builder {

        private final Map<String, String> env = new LinkedHashMap<>();
        private final String appName;
        private int port = FreePorts.next();
        private int managementPort = FreePorts.next();
        private Duration readyPoll = Duration.ofMillis(100);
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder(String appName) {
            this.appName = appName;
            env.put("MEP_APP_NAME", appName);
            env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        }

        /** How often {@link #start()} asks the readiness probe (100 ms unless set); a benchmark timing start-up asks often. */
        public Builder readyPoll(Duration interval) {
            readyPoll = interval;
            return this;
        }

        /** Options for the sidecar's JVM, before {@code -jar} (as the image's entrypoint has them). */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        public Builder bootstrapServers(String bootstrap) {
            return env("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        }

        public Builder contract(Path contract) {
            return env("MEP_CONTRACT", contract.toAbsolutePath().toString());
        }

        public Builder appUrl(String url) {
            return env("MEP_APP_URL", url);
        }

        public Builder serves(String operations) {
            return env("MEP_SERVES", operations);
        }

        /** How the service role consumes its requests: {@code MEP_SERVICE_CONSUMPTION}. */
        public Builder consumption(ConsumptionMode mode) {
            return env("MEP_SERVICE_CONSUMPTION", mode.setting());
        }

        public Builder ports(int httpPort, int managementHttpPort) {
            this.port = httpPort;
            this.managementPort = managementHttpPort;
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Starts the process and waits until its readiness probe answers UP. */
        public SidecarProcess start() {
            SidecarProcess sidecar = launch();
            awaitReady(sidecar);
            return sidecar;
        }

        /** Starts a process without waiting for it to be ready (for tests of a sidecar that cannot be). */
        public SidecarProcess launchUnready() {
            return launch();
        }

        /** Starts a process that is expected to refuse to start; returns it once it has exited. */
        public SidecarProcess startExpectingExit() {
            SidecarProcess sidecar = launch();
            try {
                Awaitility.await("sidecar " + appName + " exits").atMost(READY_TIMEOUT)
                        .until(() -> !sidecar.process.isAlive());
            } catch (ConditionTimeoutException e) {
                sidecar.close();
                throw new IllegalStateException("sidecar " + appName + " kept running; see " + sidecar.log, e);
            }
            return sidecar;
        }

        private SidecarProcess launch() {
            // a pod's name in a cluster; here one per process unless a test restarts "the same pod"
            env.putIfAbsent("MEP_INSTANCE_ID", appName + "-" + port);
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            try {
                Path logDir = Files.createDirectories(Path.of("target", "sidecar-logs"));
                Path log = logDir.resolve(appName + "-" + port + ".log");
                List<String> command = new ArrayList<>(List.of(javaExecutable()));
                command.addAll(jvmOptions);
                command.addAll(List.of("-jar", jar().toString()));
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())); // a restart appends
                builder.environment().putAll(env);
                long launched = System.nanoTime();
                return new SidecarProcess(builder.start(), port, managementPort, log, launched);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start sidecar " + appName, e);
            }
        }

        private void awaitReady(SidecarProcess sidecar) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest probe = HttpRequest.newBuilder(URI.create(sidecar.managementUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            try {
                Awaitility.await("sidecar " + appName + " ready").atMost(READY_TIMEOUT)
                        .pollDelay(Duration.ZERO).pollInterval(readyPoll)
                        .until(() -> {
                            if (!sidecar.process.isAlive()) {
                                throw new IllegalStateException("sidecar " + appName + " exited with "
                                        + sidecar.process.exitValue() + "; see " + sidecar.log.toAbsolutePath());
                            }
                            return answersUp(http, probe);
                        });
                sidecar.readyAfter = Duration.ofNanos(System.nanoTime() - sidecar.launchedNanos);
            } catch (ConditionTimeoutException e) {
                sidecar.close();
                throw new IllegalStateException("sidecar " + appName + " not ready within " + READY_TIMEOUT
                        + "; see " + sidecar.log.toAbsolutePath(), e);
            }
        }

        private static boolean answersUp(HttpClient http, HttpRequest probe) throws InterruptedException {
            try {
                return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        }

        private static Path jar() {
            Path jar = Path.of(System.getProperty("sidecar.jar", "target/quarkus-app/quarkus-run.jar"));
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar.toAbsolutePath() + " does not exist; build it with ./mvnw package");
            }
            return jar;
        }

        private static String javaExecutable() {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }
}
