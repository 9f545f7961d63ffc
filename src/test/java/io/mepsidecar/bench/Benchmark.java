package io.mepsidecar.bench;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The benchmark ({@code ./mvnw -Pbench package}): one real broker, an echo app, a caller-side and a service-side
 * sidecar from the packaged artifact with production settings, and in the same run, with the same broker, topics,
 * partitions and payloads, three ways of making the same request-reply call: plain kafka-clients (the floor), HTTP
 * straight to the echo app, and through both sidecars. Writes {@code summary.json}, {@code results.md} and
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
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        started.add(broker);
        broker.createTopics(settings.partitions(), "bench.echo", "bench.hold", "bench-caller.replies",
                "bench-service.replies", "bench.baseline.requests", "bench.baseline.replies");
        Vertx vertx = Vertx.vertx();
        started.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        EchoServer echo = EchoServer.start(vertx);
        started.add(echo);
        Path contract = writeContract(dir);
        SidecarProcess service = sidecar("bench-service", broker, contract, dir)
                .appUrl(echo.url()).serves("bench-echo,bench-hold").start();
        started.add(service);
        SidecarProcess caller = sidecar("bench-caller", broker, contract, dir).start();
        started.add(caller);
        sidecarPids = List.of(service.pid(), caller.pid());
        KafkaBaseline baseline = new KafkaBaseline(broker.bootstrapServers(), "bench.baseline.requests",
                "bench.baseline.replies");
        started.add(baseline);
        baseline.start();
        log("broker, echo app, sidecars and baseline ready");

        double callerIdle = ProcessMemory.rssMiB(caller.pid());
        double serviceIdle = ProcessMemory.rssMiB(service.pid());
        byte[] payload = new byte[settings.payloadBytes()];
        new java.util.Random(1).nextBytes(payload);
        List<Summary.Run> runs = new ArrayList<>();
        PeakRss peak = new PeakRss(caller.pid(), service.pid());
        Breakdown breakdown = new Breakdown(caller.managementUrl(), service.managementUrl(), "bench-echo");
        for (int concurrency : settings.concurrency()) {
            runs.add(measure("baseline", baseline, concurrency, payload));
            runs.add(measureHttp(vertx, "direct-http", echo.url(), "/bench-echo", concurrency, false, payload));
            peak.start();
            breakdown.start();
            Summary.Run sidecar = measureHttp(vertx, "sidecar", caller.url(), "/v1/invoke/bench-echo", concurrency,
                    false, payload);
            runs.add(withBreakdown(sidecar, breakdown.stop()));
            peak.stop();
        }
        int highest = settings.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
        runs.add(measureHttp(vertx, "sidecar-async", caller.url(), "/v1/invoke/bench-echo", highest, true, payload));
        if (Boolean.getBoolean("bench.jfr")) {
            dumpRecording(caller, dir);
            dumpRecording(service, dir);
        }
        Summary.Pending pending = new PendingCallsProbe(vertx, caller, settings.pendingCalls(), out).measure();
        Summary.Memory memory = new Summary.Memory(callerIdle, serviceIdle, peak.caller(), peak.service(), pending);
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
        return builder.bootstrapServers(broker.bootstrapServers()).contract(contract)
                .env("MEP_SERVICE_MAX_CONCURRENCY", "256")
                .env("MEP_CALLER_MAX_IN_FLIGHT", Integer.toString(Math.max(1000, settings.pendingCalls() * 2)))
                // the async run keeps every result for its TTL: room for a run's worth, kept for 5 s
                .env("MEP_CALLER_MAX_RESULTS", "200000").env("MEP_CALLER_RESULT_TTL", "5s")
                .env("MEP_TOPICS_REPLY_PARTITIONS", Integer.toString(settings.partitions()));
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

    private Summary.Run withBreakdown(Summary.Run run, Summary.Breakdown breakdown) {
        log(String.format("sidecar breakdown at %d: caller %.2f ms = caller sidecar + Kafka %.2f ms + service %.2f ms"
                + " (service sidecar %.2f ms + app %.2f ms)", run.concurrency(), breakdown.callerMs(),
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

    /** Samples the two sidecars' RSS every 200 ms while started, keeping the highest. */
    private static final class PeakRss {

        private final long callerPid;
        private final long servicePid;
        private final AtomicReference<double[]> peak = new AtomicReference<>(new double[2]);
        private ScheduledExecutorService sampler;

        PeakRss(long callerPid, long servicePid) {
            this.callerPid = callerPid;
            this.servicePid = servicePid;
        }

        void start() {
            sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> peak.updateAndGet(p -> new double[] {
                Math.max(p[0], ProcessMemory.rssMiB(callerPid)), Math.max(p[1], ProcessMemory.rssMiB(servicePid))}),
                    0, 200, TimeUnit.MILLISECONDS);
        }

        void stop() {
            sampler.shutdownNow();
        }

        double caller() {
            return peak.get()[0];
        }

        double service() {
            return peak.get()[1];
        }
    }
}
