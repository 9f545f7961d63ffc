package io.mepsidecar.faults;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.FreePorts;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The pods of the fault suite on one real broker: a calling app ({@code faults-caller}, one caller sidecar per
 * replica, the suite's load generator as its app and a {@link CallbackReceiver} for its completion callbacks) and a
 * serving app ({@code faults-service}, one service sidecar per replica in front of a {@link TestApp} of its own). Each
 * replica has a fixed instance id and fixed ports, so a restart brings back the same container of the same pod. The
 * fault methods do to these processes what Kubernetes and crashes do to pods.
 */
final class FaultTopology implements AutoCloseable {

    static final String CALLER_APP = "faults-caller";
    static final String SERVICE_APP = "faults-service";
    static final String REPLY_TOPIC = CALLER_APP + ".replies";
    static final int REPLY_PARTITIONS = 2;
    static final String REQUEST_REPLY = "work";
    static final String ONE_WAY = "work-event";

    private static final Path CONTRACT = Path.of("src/test/resources/faults-contract.yaml");
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(40);

    private final EmbeddedKafkaBroker broker;
    private final CallbackReceiver callbacks;
    private final CallerMetricsScraper scraper = new CallerMetricsScraper();
    private final Map<String, Replica> callers = new LinkedHashMap<>();
    private final Map<String, Replica> services = new LinkedHashMap<>();
    private final Map<String, TestApp> apps = new HashMap<>();
    /** Every serving app ever started, crashed ones included: together they know every execution. */
    private final List<TestApp> allApps = new CopyOnWriteArrayList<>();
    /** The caller replicas the load is spread over (the replicas whose app is running). */
    private final List<SidecarProcess> callerPool = new CopyOnWriteArrayList<>();
    /** Instance id of every caller replica ever started, by its API's base URL. */
    private final Map<String, String> callerInstances = new ConcurrentHashMap<>();
    private final List<AutoCloseable> started = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final String consumption = System.getProperty("faults.consumption", "auto");

    /** A sidecar process and what it needs to be started again as the same container. */
    private static final class Replica {
        final String instance;
        final int port = FreePorts.next();
        final int managementPort = FreePorts.next();
        SidecarProcess process;
        int restarts;

        Replica(String instance) {
            this.instance = instance;
        }
    }

    private FaultTopology(EmbeddedKafkaBroker broker, CallbackReceiver callbacks) {
        this.broker = broker;
        this.callbacks = callbacks;
    }

    /** The broker, its topics, one service replica ({@code service-a}) and one caller replica ({@code caller-a}). */
    static FaultTopology start() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        FaultTopology topology = new FaultTopology(broker, CallbackReceiver.start());
        try {
            broker.createTopics(4, "faults.work", "faults.work-event");
            broker.createTopics(REPLY_PARTITIONS, REPLY_TOPIC);
            topology.startService("service-a");
            topology.startCaller("caller-a");
            return topology;
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    /** The calling app's reply topic, as the broker has it. */
    ReplyTopic replyTopic() {
        return new ReplyTopic(broker.bootstrapServers(), REPLY_TOPIC, REPLY_PARTITIONS);
    }

    CallbackReceiver callbacks() {
        return callbacks;
    }

    CallerMetricsScraper scraper() {
        return scraper;
    }

    String consumption() {
        return consumption;
    }

    /** Base URLs of the caller replicas the load goes to now. */
    List<String> callerUrls() {
        return callerPool.stream().map(SidecarProcess::url).collect(Collectors.toList());
    }

    /** The instance id of the caller replica at this base URL. */
    String callerInstanceAt(String url) {
        return callerInstances.getOrDefault(url, url);
    }

    // ---- service side ----

    /** A new service replica with an app of its own. */
    void startService(String instance) {
        TestApp app = TestApp.start();
        apps.put(instance, app);
        allApps.add(app);
        started.add(app);
        Replica replica = new Replica(instance);
        services.put(instance, replica);
        launchService(replica);
    }

    /** kill -9 of the service sidecar: no grace, nothing finished, nothing acknowledged. */
    void killService(String instance) {
        kill(services.get(instance));
    }

    /**
     * SIGTERM of the service sidecar, as Kubernetes stops a container; {@code stopping} runs once it reports not
     * ready (the stop took effect); returns once it exited.
     */
    void terminateService(String instance, Runnable stopping) {
        terminate(services.get(instance), stopping);
    }

    /** The container comes back: same instance id, same ports, same app. */
    void restartService(String instance) {
        Replica replica = services.get(instance);
        keepLogOfDeadProcess(replica);
        launchService(replica);
    }

    /** Scale down: SIGTERM, then the replica's app goes with its pod (its executions stay counted). */
    void removeService(String instance) {
        terminate(services.remove(instance), () -> { });
        apps.remove(instance).close();
    }

    /** The serving app crashes: its HTTP server stops at once, connections and requests at work included. */
    void crashApp(String instance) {
        apps.get(instance).close();
    }

    /** Waits (bounded) until the service sidecar noticed its app is away: it stops taking requests. */
    void awaitAppNoticedAway(String instance) {
        SidecarProcess sidecar = services.get(instance).process;
        within(Duration.ofSeconds(20), "service sidecar notices its app is away",
                () -> Metrics.value(sidecar, "mep_service_app_available", "") == 0);
    }

    /** The crashed app starts again on the same port. */
    void restartApp(String instance) {
        TestApp app = TestApp.start(apps.get(instance).port());
        apps.put(instance, app);
        allApps.add(app);
        started.add(app);
    }

    // ---- caller side ----

    /** A new caller replica; the load goes to it from now on. */
    void startCaller(String instance) {
        Replica replica = new Replica(instance);
        callers.put(instance, replica);
        launchCaller(replica);
        callerInstances.put(replica.process.url(), instance);
        callerPool.add(replica.process);
    }

    /** kill -9 of a caller sidecar; its app keeps calling it (and gets refused connections) until it is back. */
    void killCaller(String instance) {
        kill(callers.get(instance));
    }

    /**
     * SIGTERM of a caller sidecar; its app keeps calling it until it is back. {@code stopping} runs once it reports
     * not ready (the stop took effect); returns once it exited.
     */
    void terminateCaller(String instance, Runnable stopping) {
        terminate(callers.get(instance), stopping);
    }

    /** The caller container comes back with the same instance id and ports, and takes its app's calls again. */
    void restartCaller(String instance) {
        Replica replica = callers.get(instance);
        SidecarProcess dead = replica.process;
        keepLogOfDeadProcess(replica);
        launchCaller(replica);
        callerPool.replaceAll(p -> p == dead ? replica.process : p);
    }

    /** Scale down: the pod's app stops calling and its sidecar gets SIGTERM at the same moment, as in one pod. */
    void removeCaller(String instance) {
        Replica replica = callers.remove(instance);
        scraper.scrapeAll();
        callerPool.remove(replica.process);
        stop(replica, () -> { });
    }

    // ---- broker ----

    /** The broker stops, as an outage; its data and ports are kept. */
    void stopBroker() {
        broker.stop();
    }

    /**
     * Once the caller sidecars noticed the broker is away (not ready; bounded wait), it starts again on the same port
     * with the same data; returns when every sidecar is ready again.
     */
    void restartBrokerOnceNoticed() {
        within(Duration.ofSeconds(30), "caller sidecars notice the broker is away",
                () -> callers.values().stream().noneMatch(r -> isReady(r.process)));
        broker.restart();
        awaitAllReady();
    }

    void awaitAllReady() {
        List<Replica> all = new ArrayList<>(callers.values());
        all.addAll(services.values());
        within(Duration.ofSeconds(60), "every sidecar ready", () -> all.stream().allMatch(r -> isReady(r.process)));
    }

    // ---- what happened ----

    /** Requests the app of this service replica received at {@code /work} (since it last started). */
    int workReceivedBy(String instance) {
        TestApp app = apps.get(instance);
        return app == null ? 0 : (int) app.received().stream().filter(r -> "/work".equals(r.path())).count();
    }

    /** How often the serving apps executed each call, by the token at the end of its body. */
    Map<String, Integer> executionsByBody() {
        Map<String, Integer> executions = new HashMap<>();
        for (TestApp app : allApps) {
            for (TestApp.Received received : app.received()) {
                if ("/work".equals(received.path())) {
                    executions.merge(LoadGenerator.tokenOf(new String(received.body(), StandardCharsets.UTF_8)), 1,
                            Integer::sum);
                }
            }
        }
        return executions;
    }

    // ---- processes ----

    private void launchService(Replica replica) {
        replica.process = register(SidecarProcess.builder(SERVICE_APP).bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).ports(replica.port, replica.managementPort)
                .appUrl(apps.get(replica.instance).url()).serves(REQUEST_REPLY + "," + ONE_WAY)
                // The one-way operation is served at the app's /work too, where every execution is recorded. Its
                // name has a dash, which no environment variable name can carry into a map key
                // (MEP_SERVICE_OPERATIONS__WORK_EVENT__PATH reads as "work.event"), so it is a system property.
                .env("JAVA_TOOL_OPTIONS", "-Dmep.service.operations." + ONE_WAY + ".path=/work")
                .env("MEP_SERVICE_CONSUMPTION", consumption)
                .env("MEP_INSTANCE_ID", replica.instance).start());
    }

    private void launchCaller(Replica replica) {
        replica.process = register(SidecarProcess.builder(CALLER_APP).bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).ports(replica.port, replica.managementPort).appUrl(callbacks.url())
                .env("MEP_INSTANCE_ID", replica.instance).start());
        scraper.watch(replica.process);
    }

    private SidecarProcess register(SidecarProcess process) {
        started.add(process);
        return process;
    }

    private void kill(Replica replica) {
        scraper.scrapeAll();
        replica.process.kill();
        if (replica.process.awaitExit(EXIT_TIMEOUT).isEmpty()) {
            throw new IllegalStateException(replica.instance + " survived SIGKILL");
        }
    }

    private void terminate(Replica replica, Runnable stopping) {
        scraper.scrapeAll();
        stop(replica, stopping);
    }

    /** SIGTERM; {@code stopping} runs once the sidecar reports not ready; returns once it exited. */
    private void stop(Replica replica, Runnable stopping) {
        replica.process.terminate();
        within(Duration.ofSeconds(10), replica.instance + " reports not ready", () -> !isReady(replica.process));
        stopping.run();
        if (replica.process.awaitExit(EXIT_TIMEOUT).isEmpty()) {
            throw new IllegalStateException(replica.instance + " still runs " + EXIT_TIMEOUT + " after SIGTERM");
        }
    }

    /** A restart on the same port would write over the dead process's log: keep it under the process id. */
    private static void keepLogOfDeadProcess(Replica replica) {
        Path log = replica.process.log();
        String name = log.getFileName().toString().replaceFirst("\\.log$", "");
        try {
            Files.move(log, log.resolveSibling(name + "-run" + replica.restarts++ + "-pid" + replica.process.pid()
                    + ".log"));
        } catch (IOException e) {
            // the log is lost to the next run's output; the suite itself does not need it
        }
    }

    private boolean isReady(SidecarProcess sidecar) {
        try {
            HttpRequest probe = HttpRequest.newBuilder(URI.create(sidecar.managementUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits for a condition at most {@code timeout}; false (and the suite goes on) when it did not come. */
    static boolean within(Duration timeout, String what, Callable<Boolean> condition) {
        try {
            Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(condition);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() {
        List<AutoCloseable> parts = new ArrayList<>(started);
        Collections.reverse(parts);
        parts.add(callbacks);
        parts.add(scraper);
        parts.add(broker);
        Closer.closeAll(parts.toArray(AutoCloseable[]::new));
    }
}
