package io.mepsidecar.bench;

import io.mepsidecar.image.ImageBuilder;
import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The benchmark ({@code ./mvnw -Pbench package}). Every part runs in a process of its own, as in a deployment: the
 * broker, the echo app, the baseline's server, the load generator (also the baseline's client), a caller-side sidecar
 * and two service-side sidecars (one on a consumer group, one on a share group) from the packaged artifact with
 * production settings. The same request-reply call is made five ways: plain kafka-clients (the floor), HTTP straight
 * to the echo app, and through the caller sidecar and either service sidecar (synchronous; and asynchronous on the
 * consumer group). Every mode is warmed up at the highest concurrency, then the modes are measured in rounds,
 * interleaved, and each figure reported is the median of the rounds, with their spread. A separate run with
 * {@code mep.debug.hop-timestamps} on a second caller sidecar shows where a call's time goes, hop by hop. Writes
 * {@code summary.json}, {@code results.md} and {@code latency.png} under {@code target/benchmark}. Settings: system
 * properties {@code bench.*} (see docs/benchmarks.md).
 */
public final class Benchmark {

    private static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.99};
    private static final String LOG_MANAGER = "-Djava.util.logging.manager=org.jboss.logmanager.LogManager";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
    /** The modes of the first phase, measured in every round; the share group has a phase of its own. */
    private static final List<String> ROUND_MODES = List.of("baseline", "direct-http", "sidecar");

    private final Summary.Settings settings;
    private final PrintStream out;
    private final List<AutoCloseable> started = new ArrayList<>();
    private List<Long> pids = List.of();
    private Path dir;
    private String bootstrap;
    private String echoUrl;
    private Path contract;
    private JavaProcess load;

    Benchmark(Summary.Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = Boolean.getBoolean("bench.smoke");
        Summary.Settings settings = new Summary.Settings(
                Arrays.stream(System.getProperty("bench.concurrency", smoke ? "1,4" : "1,16,128").split(","))
                        .map(String::trim).map(Integer::parseInt).collect(Collectors.toList()),
                Long.getLong("bench.warmup", smoke ? 1 : 10), Long.getLong("bench.duration", smoke ? 1 : 10),
                Integer.getInteger("bench.payload", 1024), Integer.getInteger("bench.partitions", 4),
                Integer.getInteger("bench.pending", smoke ? 200 : 10_000), Integer.getInteger("bench.rounds",
                        smoke ? 2 : 3), smoke);
        Path dir = Path.of(System.getProperty("bench.out", "target/benchmark"));
        new Benchmark(settings, System.out).run(dir);
        System.out.println("\n" + Files.readString(dir.resolve("results.md")));
    }

    Summary run(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir);
        try {
            return measure();
        } finally {
            Collections.reverse(started);
            Closer.closeAll(started.toArray(new AutoCloseable[0]));
        }
    }

    private Summary measure() throws Exception {
        startParts();
        SidecarProcess service = sidecar("bench-service").consumption(ConsumptionMode.CONSUMER_GROUP).appUrl(echoUrl)
                .serves("bench-echo,bench-hold").start();
        started.add(service);
        SidecarProcess caller = sidecar("bench-caller").start();
        started.add(caller);
        remember(service, caller);
        requireMode(service, ConsumptionMode.CONSUMER_GROUP);
        log("broker, echo app, baseline server, load generator and sidecars ready");

        Map<String, SidecarProcess> pair = new LinkedHashMap<>();
        pair.put("caller", caller);
        pair.put("service", service);
        Map<String, Idle> idle = new LinkedHashMap<>(idle(pair));
        PeakRss peak = new PeakRss();
        Map<String, Target> targets = new LinkedHashMap<>();
        targets.put("baseline", new Target("baseline", null, null, null, null));
        targets.put("direct-http", new Target("http", echoUrl, "/bench-echo", null, null));
        targets.put("sidecar", new Target("http", caller.url(), "/v1/invoke/bench-echo", caller, service));
        Target async = new Target("http-async", caller.url(), "/v1/invoke/bench-echo", caller, service);
        int highest = highest();

        for (String mode : ROUND_MODES) {
            warmUp(mode, targets.get(mode), highest);
        }
        warmUp("sidecar-async", async, highest);
        Map<String, List<Round>> rounds = new LinkedHashMap<>();
        for (int round = 1; round <= settings.rounds(); round++) {
            for (int concurrency : settings.concurrency()) {
                for (String mode : rotated(ROUND_MODES, round)) {
                    Target target = targets.get(mode);
                    if (target.caller() != null) {
                        peak.start(Map.of("caller", caller, "service", service));
                    }
                    record(rounds, mode, concurrency, measure(mode, target, concurrency, round));
                    peak.stop();
                }
            }
            record(rounds, "sidecar-async", highest, measure("sidecar-async", async, highest, round));
        }
        Map<String, Map<String, Double>> hops = new HashMap<>();
        traced(service, "bench-echo", "sidecar", hops);

        // The share-group sidecar runs only for its own phase: its idle share consumers cost CPU (see the report),
        // which would weigh on every other mode on a small machine.
        SidecarProcess share = sidecar("bench-share").consumption(ConsumptionMode.SHARE_GROUP).appUrl(echoUrl)
                .serves("bench-share-echo").start();
        started.add(share);
        remember(service, caller, share);
        requireMode(share, ConsumptionMode.SHARE_GROUP);
        idle.putAll(idle(Map.of("service-share", share)));
        Target shared = new Target("http", caller.url(), "/v1/invoke/bench-share-echo", caller, share);
        warmUp("sidecar-share", shared, highest);
        for (int round = 1; round <= settings.rounds(); round++) {
            for (int concurrency : settings.concurrency()) {
                peak.start(Map.of("caller", caller, "service-share", share));
                record(rounds, "sidecar-share", concurrency, measure("sidecar-share", shared, concurrency, round));
                peak.stop();
            }
        }
        traced(share, "bench-share-echo", "sidecar-share", hops);
        if (Boolean.getBoolean("bench.jfr")) {
            dumpRecording(caller);
            dumpRecording(service);
            dumpRecording(share);
        }
        share.close();

        List<Summary.Run> runs = new ArrayList<>();
        rounds.forEach((key, measured) -> runs.add(Rounds.combine(measured, hops.get(key))));
        Vertx vertx = Vertx.vertx();
        started.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        Summary.Pending pending = new PendingCallsProbe(vertx, caller, settings.pendingCalls(), out).measure();
        List<Summary.Sidecar> costs = new ArrayList<>();
        idle.forEach((name, at) -> costs.add(new Summary.Sidecar(name, at.rssMiB(), peak.of(name), at.heapMiB(),
                at.threads(), at.cpuPercent(), at.readySeconds())));
        Summary summary = new Summary(machine(), LocalDate.now().toString(), settings, runs,
                new Summary.Memory(costs, pending));
        Report.write(summary, dir);
        return summary;
    }

    /** The broker, the echo app, the baseline's server and the load generator, each in a JVM of its own. */
    private void startParts() throws Exception {
        Path logs = dir.resolve("logs");
        // Kafka's default share heartbeat (the test broker's is 1 s, for quick tests): share consumers heartbeat as
        // they would on a real cluster
        JavaProcess broker = JavaProcess.start("broker", logs, List.of("-Xmx1g", LOG_MANAGER),
                Integer.toString(settings.partitions()), String.join(",", "bench.echo", "bench.share-echo",
                        "bench.hold", "bench-caller.replies", "bench-traced.replies", "bench-service.replies",
                        "bench-share.replies", "bench.baseline.requests", "bench.baseline.replies"),
                "group.share.heartbeat.interval.ms=5000");
        started.add(broker);
        bootstrap = broker.ready();
        JavaProcess echo = JavaProcess.start("echo", logs, List.of(LOG_MANAGER));
        started.add(echo);
        echoUrl = echo.ready();
        JavaProcess server = JavaProcess.start("baseline-server", logs, List.of(LOG_MANAGER), bootstrap,
                "bench.baseline.requests");
        started.add(server);
        server.ready();
        load = JavaProcess.start("load", logs, List.of(LOG_MANAGER));
        started.add(load);
        load.call("baseline-client " + bootstrap + " bench.baseline.requests bench.baseline.replies",
                Duration.ofMinutes(1));
        contract = writeContract(dir);
    }

    private SidecarProcess.Builder sidecar(String app) {
        SidecarProcess.Builder builder = SidecarProcess.builder(app);
        if (Boolean.getBoolean("bench.jfr")) { // profile the sidecars: docs/benchmarks.md, "Where the time goes"
            builder.env("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + dir.resolve(app + ".jfr").toAbsolutePath());
        }
        int highest = highest();
        return builder.jvmOptions(sidecarJvm()).bootstrapServers(bootstrap).contract(contract)
                .readyPoll(Duration.ofMillis(10))
                // above the highest concurrency, so that the service sidecar never limits it (the default 16 would);
                // on a share group each one is a member, and a group holds at most 200 by default
                .env("MEP_SERVICE_MAX_CONCURRENCY", Integer.toString(highest + (highest + 3) / 4))
                .env("MEP_CALLER_MAX_IN_FLIGHT", Integer.toString(Math.max(1000, settings.pendingCalls() * 2)))
                // the async run keeps every result for its TTL: room for a run's worth, kept for 5 s
                .env("MEP_CALLER_MAX_RESULTS", "200000").env("MEP_CALLER_RESULT_TTL", "5s")
                .env("MEP_TOPICS_REPLY_PARTITIONS", Integer.toString(settings.partitions()));
    }

    /**
     * The sidecars' JVM as in a pod: the image's entrypoint flags, and {@code -XX:MaxRAM} at the memory limit the chart
     * gives the sidecar ({@code bench.sidecar-memory}, 256m), so that the JVM sizes its heap and picks its collector as
     * it would in the container; {@code bench.sidecar-jvm} adds more.
     */
    private static List<String> sidecarJvm() {
        List<String> options = new ArrayList<>(ImageBuilder.JVM_FLAGS);
        options.removeIf(option -> option.startsWith("-Djava.io.tmpdir"));
        options.add("-XX:MaxRAM=" + System.getProperty("bench.sidecar-memory", "256m"));
        String more = System.getProperty("bench.sidecar-jvm", "").trim();
        if (!more.isEmpty()) {
            options.addAll(Arrays.asList(more.split("\\s+")));
        }
        return options;
    }

    /** What one mode calls: the load generator's kind of run and address, and the sidecars it goes through. */
    private record Target(String kind, String url, String path, SidecarProcess caller, SidecarProcess service) {

        String command(int concurrency, long warmupMs, long durationMs, int payload) {
            return "run " + kind + " " + concurrency + " " + warmupMs + " " + durationMs + " " + payload
                    + (url == null ? "" : " " + url + " " + path);
        }
    }

    /** One round of one mode at one concurrency, as measured. */
    record Round(String mode, int concurrency, Histogram latencyMicros, long calls, long failures, double seconds,
            double callerCpuSeconds, double serviceCpuSeconds) {

        double throughput() {
            return calls / seconds;
        }
    }

    private void warmUp(String mode, Target target, int concurrency) {
        log(String.format("%-13s warm-up at concurrency %d for %d s", mode, concurrency, settings.warmupSeconds()));
        load.call(target.command(concurrency, 0, settings.warmupSeconds() * 1000, settings.payloadBytes()),
                RUN_TIMEOUT);
    }

    private Round measure(String mode, Target target, int concurrency, int round) {
        double callerBefore = target.caller() == null ? 0 : ProcessStats.cpuSeconds(target.caller().pid());
        double serviceBefore = target.service() == null ? 0 : ProcessStats.cpuSeconds(target.service().pid());
        String[] result = load.call(target.command(concurrency, 0, settings.durationSeconds() * 1000,
                settings.payloadBytes()), RUN_TIMEOUT).split(" ");
        double callerCpu = target.caller() == null ? 0
                : ProcessStats.cpuSeconds(target.caller().pid()) - callerBefore;
        double serviceCpu = target.service() == null ? 0
                : ProcessStats.cpuSeconds(target.service().pid()) - serviceBefore;
        Round measured = new Round(mode, concurrency, BenchProcess.decode(result[4]), Long.parseLong(result[1]),
                Long.parseLong(result[2]), Long.parseLong(result[3]) / 1e9, callerCpu, serviceCpu);
        log(String.format("%-13s concurrency %3d, round %d: p50 %.2f ms, p99 %.2f ms, %.0f calls/s, %d failures%s",
                mode, concurrency, round, ms(measured.latencyMicros().getValueAtPercentile(50)),
                ms(measured.latencyMicros().getValueAtPercentile(99)), measured.throughput(), measured.failures(),
                target.caller() == null ? "" : String.format(", CPU per 1,000 calls: caller %.3f s, service %.3f s",
                        perThousand(callerCpu, measured.calls()), perThousand(serviceCpu, measured.calls()))));
        return measured;
    }

    /**
     * Where a call's time goes: a second caller sidecar with {@code mep.debug.hop-timestamps}, started for this only
     * (so the stamps cost the measured runs nothing), warmed up, then one run at the lowest and one at the highest
     * concurrency. Its medians join the runs of {@code mode}.
     */
    private void traced(SidecarProcess service, String operation, String mode,
            Map<String, Map<String, Double>> hops) throws Exception {
        try (SidecarProcess traced = sidecar("bench-traced").env("MEP_DEBUG_HOP_TIMESTAMPS", "true").start()) {
            Target target = new Target("http", traced.url(), "/v1/invoke/" + operation, traced, service);
            warmUp(mode + " (traced)", target, highest());
            for (int concurrency : List.of(settings.concurrency().get(0), highest())) {
                String[] result = load.call(target.command(concurrency, 0, settings.durationSeconds() * 1000,
                        settings.payloadBytes()), RUN_TIMEOUT).split(" ");
                Map<String, Double> medians = BenchProcess.decodeHops(result[6]);
                log(String.format("%s hops at concurrency %d (%s calls traced): %s", mode, concurrency, result[5],
                        medians));
                hops.put(mode + "@" + concurrency, medians);
            }
        }
    }

    private static void record(Map<String, List<Round>> rounds, String mode, int concurrency, Round round) {
        rounds.computeIfAbsent(mode + "@" + concurrency, key -> new ArrayList<>()).add(round);
    }

    /** The modes in a different order each round, so that none is always measured right after another. */
    private static List<String> rotated(List<String> modes, int round) {
        List<String> order = new ArrayList<>(modes);
        Collections.rotate(order, -(round - 1));
        return order;
    }

    private int highest() {
        return settings.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    private void remember(SidecarProcess... sidecars) {
        pids = Arrays.stream(sidecars).map(SidecarProcess::pid).collect(Collectors.toList());
    }

    /** What a sidecar was like before any load, and how long it took to become ready. */
    private record Idle(double rssMiB, int threads, double cpuPercent, double heapMiB, double readySeconds) {
    }

    /**
     * Each sidecar before any load: RSS (MiB), threads, CPU over an idle window (% of a core), then heap in use
     * after a full GC (MiB).
     */
    private Map<String, Idle> idle(Map<String, SidecarProcess> sidecars) throws Exception {
        Map<String, Double> cpuBefore = new HashMap<>();
        Map<String, double[]> first = new HashMap<>();
        sidecars.forEach((name, sidecar) -> {
            first.put(name, new double[] {ProcessStats.rssMiB(sidecar.pid()), ProcessStats.threads(sidecar.pid())});
            cpuBefore.put(name, ProcessStats.cpuSeconds(sidecar.pid()));
        });
        long start = System.nanoTime();
        Thread.sleep(settings.smoke() ? 1_000 : 10_000); // the window of idle CPU, not a wait for anything
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Idle> idle = new LinkedHashMap<>();
        for (Map.Entry<String, SidecarProcess> entry : sidecars.entrySet()) {
            SidecarProcess sidecar = entry.getValue();
            double cpu = 100 * (ProcessStats.cpuSeconds(sidecar.pid()) - cpuBefore.get(entry.getKey())) / seconds;
            Idle at = new Idle(first.get(entry.getKey())[0], (int) first.get(entry.getKey())[1], cpu,
                    ProcessStats.heapAfterGcMiB(sidecar.pid(), sidecar.managementUrl()),
                    sidecar.readyAfter().toNanos() / 1e9);
            idle.put(entry.getKey(), at);
            log(String.format("%s idle: RSS %.1f MiB, %d threads, CPU %.1f%% of a core, heap after GC %.1f MiB,"
                    + " ready %.2f s after start", entry.getKey(), at.rssMiB(), at.threads(), at.cpuPercent(),
                    at.heapMiB(), at.readySeconds()));
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

    /** The operating system ids of the sidecar processes of the last run. */
    List<Long> sidecarPids() {
        return pids;
    }

    private void dumpRecording(SidecarProcess sidecar) throws Exception {
        Path file = dir.resolve("sidecar-" + sidecar.pid() + ".jfr").toAbsolutePath();
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(sidecar.pid()), "JFR.dump", "filename=" + file).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        jcmd.waitFor(60, TimeUnit.SECONDS);
        log("flight recording of pid " + sidecar.pid() + " in " + file);
    }

    /** Medians over rounds. */
    static final class Rounds {

        private Rounds() {
        }

        static Summary.Run combine(List<Round> rounds, Map<String, Double> hops) {
            Round first = rounds.get(0);
            Histogram all = new Histogram(first.latencyMicros().getHighestTrackableValue(),
                    first.latencyMicros().getNumberOfSignificantValueDigits());
            rounds.forEach(round -> all.add(round.latencyMicros()));
            List<double[]> points = Arrays.stream(PERCENTILES)
                    .mapToObj(p -> new double[] {p, ms(all.getValueAtPercentile(p))}).collect(Collectors.toList());
            ToDoubleFunction<Round> p50 = r -> ms(r.latencyMicros().getValueAtPercentile(50));
            ToDoubleFunction<Round> p99 = r -> ms(r.latencyMicros().getValueAtPercentile(99));
            Summary.Spread spread = new Summary.Spread(rounds.size(), min(rounds, p50), max(rounds, p50),
                    min(rounds, p99), max(rounds, p99), min(rounds, Round::throughput), max(rounds, Round::throughput));
            boolean sidecar = first.mode().startsWith("sidecar");
            Summary.Cost cost = sidecar ? new Summary.Cost(
                    median(rounds, r -> perThousand(r.callerCpuSeconds(), r.calls())),
                    median(rounds, r -> perThousand(r.serviceCpuSeconds(), r.calls()))) : null;
            return new Summary.Run(first.mode(), first.concurrency(), median(rounds, p50),
                    median(rounds, r -> ms(r.latencyMicros().getValueAtPercentile(90))), median(rounds, p99),
                    median(rounds, r -> ms(r.latencyMicros().getValueAtPercentile(99.9))), ms(all.getMaxValue()),
                    median(rounds, Round::throughput), rounds.stream().mapToLong(Round::calls).sum(),
                    rounds.stream().mapToLong(Round::failures).sum(), points, spread, hops, cost);
        }

        static double median(List<Round> rounds, ToDoubleFunction<Round> figure) {
            double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
            int middle = values.length / 2;
            return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        }

        private static double min(List<Round> rounds, ToDoubleFunction<Round> figure) {
            return rounds.stream().mapToDouble(figure).min().orElse(Double.NaN);
        }

        private static double max(List<Round> rounds, ToDoubleFunction<Round> figure) {
            return rounds.stream().mapToDouble(figure).max().orElse(Double.NaN);
        }
    }

    private static double perThousand(double cpuSeconds, long calls) {
        return calls == 0 ? Double.NaN : cpuSeconds * 1000 / calls;
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
            if (sampler != null) {
                sampler.shutdownNow();
                sampler = null;
            }
        }

        double of(String name) {
            return peak.getOrDefault(name, 0.0);
        }
    }
}
