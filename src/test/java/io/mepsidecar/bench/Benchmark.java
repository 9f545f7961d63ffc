package io.mepsidecar.bench;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The benchmark ({@code ./mvnw -Pbench package}): one real broker, an echo app, a caller-side sidecar and two
 * service-side sidecars (one on a consumer group, one on a share group) from the packaged artifact with production
 * settings, and in the same run, with the same broker, topics, partitions and payloads, four ways of making the same
 * request-reply call: plain kafka-clients (the floor), HTTP straight to the echo app, and through the caller sidecar
 * and either service sidecar. Writes {@code summary.json}, {@code results.md} and
 * {@code latency.png} under {@code target/benchmark}. Settings: system properties {@code bench.*} (see
 * docs/benchmarks.md).
 */
public final class Benchmark {

    private static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.99};

    private final Summary.Settings settings;
    private final PrintStream out;
    private final List<AutoCloseable> started = new ArrayList<>();
    private List<Long> sidecarPids = List.of();

    Benchmark(Summary.Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = Boolean.getBoolean("bench.smoke");
        Summary.Settings settings = new Summary.Settings(
                Arrays.stream(System.getProperty("bench.concurrency", smoke ? "1,4" : "1,16,128").split(","))
                        .map(String::trim).map(Integer::parseInt).collect(Collectors.toList()),
                Long.getLong("bench.warmup", smoke ? 1 : 5), Long.getLong("bench.duration", smoke ? 2 : 20),
                Integer.getInteger("bench.payload", 1024), Integer.getInteger("bench.partitions", 4),
                Integer.getInteger("bench.pending", smoke ? 200 : 10_000), smoke);
        Path dir = Path.of(System.getProperty("bench.out", "target/benchmark"));
        Summary summary = new Benchmark(settings, System.out).run(dir);
        System.out.println("\n" + Files.readString(dir.resolve("results.md")));
    }

    Summary run(Path dir) throws Exception {
        Files.createDirectories(dir);
        try {
            return measure(dir);
        } finally {
            java.util.Collections.reverse(started);
            Closer.closeAll(started.toArray(new AutoCloseable[0]));
        }
    }

    private Summary measure(Path dir) throws Exception {
        // Kafka's default share heartbeat (the test broker's is 1 s, for quick tests): share consumers heartbeat as
        // they would on a real cluster
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of("group.share.heartbeat.interval.ms", "5000"));
        started.add(broker);
        broker.createTopics(settings.partitions(), "bench.echo", "bench.share-echo", "bench.hold",
                "bench-caller.replies", "bench-service.replies", "bench-share.replies", "bench.baseline.requests",
                "bench.baseline.replies");
        Vertx vertx = Vertx.vertx();
        started.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        EchoServer echo = EchoServer.start(vertx);
        started.add(echo);
        Path contract = writeContract(dir);
        SidecarProcess service = sidecar("bench-service", broker, contract, dir)
                .consumption(ConsumptionMode.CONSUMER_GROUP).appUrl(echo.url()).serves("bench-echo,bench-hold").start();
        started.add(service);
        SidecarProcess caller = sidecar("bench-caller", broker, contract, dir).start();
        started.add(caller);
        sidecarPids = List.of(service.pid(), caller.pid());
        requireMode(service, ConsumptionMode.CONSUMER_GROUP);
        KafkaBaseline baseline = new KafkaBaseline(broker.bootstrapServers(), "bench.baseline.requests",
                "bench.baseline.replies");
        started.add(baseline);
        baseline.start();
        log("broker, echo app, sidecars and baseline ready");

        Map<String, double[]> idle = idle(Map.of("caller", caller, "service", service));
        byte[] payload = new byte[settings.payloadBytes()];
        new java.util.Random(1).nextBytes(payload);
        List<Summary.Run> runs = new ArrayList<>();
        PeakRss peak = new PeakRss();
        Breakdown consumerGroup = new Breakdown(caller.managementUrl(), service.managementUrl(), "bench-echo");
        for (int concurrency : settings.concurrency()) {
            runs.add(measure("baseline", baseline, concurrency, payload));
            runs.add(measureHttp(vertx, "direct-http", echo.url(), "/bench-echo", concurrency, false, payload));
            peak.start(Map.of("caller", caller, "service", service));
            runs.add(measureSidecar(vertx, "sidecar", caller, "bench-echo", consumerGroup, concurrency, payload));
            peak.stop();
        }
        int highest = settings.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
        runs.add(measureHttp(vertx, "sidecar-async", caller.url(), "/v1/invoke/bench-echo", highest, true, payload));

        // The share-group sidecar runs only for its own runs: its idle share consumers cost CPU (see the report),
        // which would weigh on every other mode on a small machine.
        SidecarProcess share = sidecar("bench-share", broker, contract, dir)
                .consumption(ConsumptionMode.SHARE_GROUP).appUrl(echo.url()).serves("bench-share-echo").start();
        started.add(share);
        sidecarPids = List.of(service.pid(), caller.pid(), share.pid());
        requireMode(share, ConsumptionMode.SHARE_GROUP);
        idle.putAll(idle(Map.of("service-share", share)));
        Breakdown shareGroup = new Breakdown(caller.managementUrl(), share.managementUrl(), "bench-share-echo");
        for (int concurrency : settings.concurrency()) {
            peak.start(Map.of("caller", caller, "service-share", share));
            runs.add(measureSidecar(vertx, "sidecar-share", caller, "bench-share-echo", shareGroup, concurrency,
                    payload));
            peak.stop();
        }
        if (Boolean.getBoolean("bench.jfr")) {
            dumpRecording(caller, dir);
            dumpRecording(service, dir);
            dumpRecording(share, dir);
        }
        share.close();

        Summary.Pending pending = new PendingCallsProbe(vertx, caller, settings.pendingCalls(), out).measure();
        List<Summary.Sidecar> costs = new ArrayList<>();
        for (String name : List.of("caller", "service", "service-share")) {
            double[] at = idle.get(name);
            costs.add(new Summary.Sidecar(name, at[0], peak.of(name), at[3], (int) at[1], at[2]));
        }
        Summary.Memory memory = new Summary.Memory(costs, pending);
        Summary summary = new Summary(machine(), LocalDate.now().toString(), settings, runs, memory);
        Report.write(summary, dir);
        return summary;
    }

    private SidecarProcess.Builder sidecar(String app, EmbeddedKafkaBroker broker, Path contract, Path dir) {
        SidecarProcess.Builder builder = SidecarProcess.builder(app);
        if (Boolean.getBoolean("bench.jfr")) { // profile the sidecars: docs/benchmarks.md, "Where the time goes"
            builder.env("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + dir.resolve(app + ".jfr").toAbsolutePath());
        }
        int highest = settings.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
        return builder.bootstrapServers(broker.bootstrapServers()).contract(contract)
                // above the highest concurrency, so that the service sidecar never limits it (the default 16 would);
                // on a share group each one is a member, and a group holds at most 200 by default
                .env("MEP_SERVICE_MAX_CONCURRENCY", Integer.toString(highest + (highest + 3) / 4))
                .env("MEP_CALLER_MAX_IN_FLIGHT", Integer.toString(Math.max(1000, settings.pendingCalls() * 2)))
                // the async run keeps every result for its TTL: room for a run's worth, kept for 5 s
                .env("MEP_CALLER_MAX_RESULTS", "200000").env("MEP_CALLER_RESULT_TTL", "5s")
                .env("MEP_TOPICS_REPLY_PARTITIONS", Integer.toString(settings.partitions()));
    }

    /**
     * Each sidecar before any load: RSS (MiB), threads, CPU over an idle window (% of a core), then heap in use
     * after a full GC (MiB).
     */
    private Map<String, double[]> idle(Map<String, SidecarProcess> sidecars) throws Exception {
        Map<String, double[]> idle = new HashMap<>();
        Map<String, Double> cpuBefore = new HashMap<>();
        sidecars.forEach((name, sidecar) -> {
            idle.put(name, new double[] {ProcessStats.rssMiB(sidecar.pid()), ProcessStats.threads(sidecar.pid()), 0,
                0});
            cpuBefore.put(name, ProcessStats.cpuSeconds(sidecar.pid()));
        });
        long start = System.nanoTime();
        Thread.sleep(settings.smoke() ? 1_000 : 10_000); // the window of idle CPU, not a wait for anything
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Map.Entry<String, SidecarProcess> sidecar : sidecars.entrySet()) {
            double[] at = idle.get(sidecar.getKey());
            at[2] = 100 * (ProcessStats.cpuSeconds(sidecar.getValue().pid()) - cpuBefore.get(sidecar.getKey()))
                    / seconds;
            at[3] = ProcessStats.heapAfterGcMiB(sidecar.getValue().pid(), sidecar.getValue().managementUrl());
            log(String.format("%s idle: RSS %.1f MiB, %d threads, CPU %.1f%% of a core, heap after GC %.1f MiB",
                    sidecar.getKey(), at[0], (int) at[1], at[2], at[3]));
        }
        return idle;
    }

    /** Refuses to measure a service sidecar that does not consume as its mode says. */
    private static void requireMode(SidecarProcess service, ConsumptionMode mode) {
        if (Metrics.value(service, "mep_service_consumption_info", "mode=\"" + mode.setting() + "\"") != 1) {
            throw new IllegalStateException("the service sidecar at " + service.managementUrl() + " does not consume"
                    + " in " + mode.setting() + " mode");
        }
    }

    private Summary.Run measure(String mode, Target target, int concurrency, byte[] payload) throws Exception {
        log(String.format("%-13s concurrency %3d ...", mode, concurrency));
        ClosedLoop.Result result = ClosedLoop.run(target, concurrency, payload,
                Duration.ofSeconds(settings.warmupSeconds()), Duration.ofSeconds(settings.durationSeconds()));
        Summary.Run run = toRun(mode, concurrency, result);
        log(String.format("%-13s concurrency %3d: p50 %.2f ms, p99 %.2f ms, %.0f calls/s, %d failures", mode,
                concurrency, run.p50(), run.p99(), run.throughput(), run.failures()));
        return run;
    }

    private Summary.Run measureHttp(Vertx vertx, String mode, String url, String path, int concurrency,
            boolean async, byte[] payload) throws Exception {
        try (HttpTarget target = new HttpTarget(vertx, url, path, concurrency, async)) {
            return measure(mode, target, concurrency, payload);
        }
    }

    private Summary.Run measureSidecar(Vertx vertx, String mode, SidecarProcess caller, String operation,
            Breakdown breakdown, int concurrency, byte[] payload) throws Exception {
        breakdown.start();
        Summary.Run run = measureHttp(vertx, mode, caller.url(), "/v1/invoke/" + operation, concurrency, false,
                payload);
        return withBreakdown(run, breakdown.stop());
    }

    private Summary.Run withBreakdown(Summary.Run run, Summary.Breakdown breakdown) {
        log(String.format("%s breakdown at %d: caller %.2f ms = caller sidecar + Kafka %.2f ms + service %.2f ms"
                + " (service sidecar %.2f ms + app %.2f ms)", run.mode(), run.concurrency(), breakdown.callerMs(),
                breakdown.callerAndKafkaMs(), breakdown.serviceMs(), breakdown.serviceSidecarMs(), breakdown.appMs()));
        return new Summary.Run(run.mode(), run.concurrency(), run.p50(), run.p90(), run.p99(), run.p999(), run.max(),
                run.throughput(), run.calls(), run.failures(), run.percentiles(), breakdown);
    }

    /** The operating system ids of the sidecar processes of the last run. */
    List<Long> sidecarPids() {
        return sidecarPids;
    }

    private void dumpRecording(SidecarProcess sidecar, Path dir) throws Exception {
        Path file = dir.resolve("sidecar-" + sidecar.pid() + ".jfr").toAbsolutePath();
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(sidecar.pid()), "JFR.dump", "filename=" + file).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        jcmd.waitFor(60, TimeUnit.SECONDS);
        log("flight recording of pid " + sidecar.pid() + " in " + file);
    }

    private static Summary.Run toRun(String mode, int concurrency, ClosedLoop.Result result) {
        Histogram h = result.latencyMicros();
        List<double[]> points = Arrays.stream(PERCENTILES)
                .mapToObj(p -> new double[] {p, ms(h.getValueAtPercentile(p))}).collect(Collectors.toList());
        return new Summary.Run(mode, concurrency, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
                result.throughput(), result.calls(), result.failures(), points, null);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static Path writeContract(Path dir) throws java.io.IOException {
        Path contract = dir.resolve("bench-contract.yaml");
        Files.writeString(contract, String.join("\n", "operations:",
                "  bench-echo:", "    pattern: request-reply", "    topic: bench.echo", "    timeout: 30s",
                "  bench-share-echo:", "    pattern: request-reply", "    topic: bench.share-echo", "    timeout: 30s",
                "  bench-hold:", "    pattern: request-reply", "    topic: bench.hold", "    timeout: 10m", ""));
        return contract;
    }

    private static Summary.Machine machine() {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / (1024 * 1024);
        return new Summary.Machine(Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), cpu());
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private void log(String line) {
        out.println("[bench] " + line);
    }

    /** Samples the RSS of the sidecars given to {@link #start} every 200 ms, keeping the highest of each. */
    private static final class PeakRss {

        private final Map<String, Double> peak = new ConcurrentHashMap<>();
        private ScheduledExecutorService sampler;

        void start(Map<String, SidecarProcess> sidecars) {
            sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> sidecars.forEach((name, sidecar) ->
                    peak.merge(name, ProcessStats.rssMiB(sidecar.pid()), Math::max)), 0, 200, TimeUnit.MILLISECONDS);
        }

        void stop() {
            sampler.shutdownNow();
        }

        double of(String name) {
            return peak.getOrDefault(name, 0.0);
        }
    }
}
