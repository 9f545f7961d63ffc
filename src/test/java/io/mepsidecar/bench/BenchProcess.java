package io.mepsidecar.bench;

import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;

/**
 * The main class of each part of the benchmark that runs in a JVM of its own ({@link JavaProcess} starts it), so that
 * every mode crosses the same process boundaries a deployment has. Roles:
 * <ul>
 * <li>{@code broker <partitions> <topic,topic...> [name=value...]}: the Kafka broker (KRaft), with the topics;</li>
 * <li>{@code echo}: the serving app ({@link EchoServer});</li>
 * <li>{@code baseline-server <bootstrap> <request-topic>}: the baseline's service, kafka-clients only;</li>
 * <li>{@code load}: the load generator, which is also the baseline's client; it runs closed loops on command.</li>
 * </ul>
 * Each prints {@code ready [address]} once it is ready and stops when its standard input closes.
 */
public final class BenchProcess {

    /** Marks the lines that answer the orchestrator; everything else on standard output is log. */
    static final String PREFIX = "@bench ";

    private BenchProcess() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        switch (args[0]) {
            case "broker" -> broker(args, in);
            case "echo" -> echo(in);
            case "baseline-server" -> {
                try (KafkaBaseline.Server server = new KafkaBaseline.Server(args[1], args[2])) {
                    server.start();
                    answer("ready");
                    awaitEnd(in);
                }
            }
            case "load" -> new Load().serve(in);
            default -> throw new IllegalArgumentException("unknown role " + args[0]);
        }
        System.exit(0);
    }

    private static void broker(String[] args, BufferedReader in) throws Exception {
        Map<String, String> overrides = new HashMap<>();
        for (String setting : Arrays.asList(args).subList(3, args.length)) {
            int equals = setting.indexOf('=');
            overrides.put(setting.substring(0, equals), setting.substring(equals + 1));
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(overrides)) {
            broker.createTopics(Integer.parseInt(args[1]), args[2].split(","));
            answer("ready " + broker.bootstrapServers());
            awaitEnd(in);
        }
    }

    private static void echo(BufferedReader in) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EchoServer echo = EchoServer.start(vertx)) {
            answer("ready " + echo.url());
            awaitEnd(in);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitEnd(BufferedReader in) throws Exception {
        while (in.readLine() != null) {
            // no commands: wait for the end of input
        }
    }

    static void answer(String line) {
        synchronized (System.out) {
            System.out.println(PREFIX + line);
            System.out.flush();
        }
    }

    /**
     * The load generator. Commands: {@code baseline-client <bootstrap> <request-topic> <reply-topic>} (once, before
     * baseline runs); {@code run <baseline|http|http-async> <concurrency> <warm-up ms> <duration ms> <payload bytes>
     * [<url> <path>]}, answered {@code result <calls> <failures> <elapsed ns> <histogram> <traced> <hops>}: the
     * latency histogram (µs) compressed in Base64, the calls that carried hop stamps, and the median of each
     * {@link Hops#SEGMENTS} stretch ({@code index=ms;...}, or {@code -}).
     */
    private static final class Load {

        private final Vertx vertx = Vertx.vertx();
        private KafkaBaseline baseline;

        void serve(BufferedReader in) throws Exception {
            answer("ready");
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    try {
                        answer(execute(line.trim().split(" ")));
                    } catch (Exception e) {
                        answer("error " + e.toString().replace('\n', ' '));
                    }
                }
            } finally {
                if (baseline != null) {
                    baseline.close();
                }
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }

        private String execute(String[] command) throws Exception {
            switch (command[0]) {
                case "baseline-client":
                    baseline = new KafkaBaseline(command[1], command[2], command[3]);
                    baseline.start();
                    return "ok";
                case "run":
                    return run(command);
                default:
                    throw new IllegalArgumentException("unknown command " + command[0]);
            }
        }

        private String run(String[] command) throws Exception {
            String kind = command[1];
            int concurrency = Integer.parseInt(command[2]);
            Duration warmup = Duration.ofMillis(Long.parseLong(command[3]));
            Duration duration = Duration.ofMillis(Long.parseLong(command[4]));
            byte[] payload = new byte[Integer.parseInt(command[5])];
            new Random(1).nextBytes(payload);
            Hops hops = new Hops();
            ClosedLoop.Result result;
            if (kind.equals("baseline")) {
                result = ClosedLoop.run(baseline, concurrency, payload, warmup, duration, hops::reset);
            } else {
                try (HttpTarget target = new HttpTarget(vertx, command[6], command[7], concurrency,
                        kind.equals("http-async"), hops)) {
                    result = ClosedLoop.run(target, concurrency, payload, warmup, duration, hops::reset);
                }
            }
            if (!result.reasons().isEmpty()) { // the orchestrator reports the count; the reasons go to the log
                System.err.println("failures of run " + String.join(" ", command) + ": " + result.reasons());
            }
            return "result " + result.calls() + " " + result.failures() + " " + result.elapsed().toNanos() + " "
                    + encode(result.latencyMicros()) + " " + hops.traced() + " " + encodeHops(hops);
        }
    }

    static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    static Histogram decode(String encoded) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not a histogram: " + e.getMessage(), e);
        }
    }

    private static String encodeHops(Hops hops) {
        Map<String, Double> medians = hops.mediansMs();
        if (medians.isEmpty()) {
            return "-";
        }
        StringBuilder encoded = new StringBuilder();
        List<Hops.Segment> segments = Hops.SEGMENTS;
        for (int i = 0; i < segments.size(); i++) {
            Double median = medians.get(segments.get(i).name());
            if (median != null) {
                encoded.append(encoded.length() == 0 ? "" : ";").append(i).append('=').append(median);
            }
        }
        return encoded.toString();
    }

    /** The medians of {@link #encodeHops}, by segment name, in {@link Hops#SEGMENTS} order. */
    static Map<String, Double> decodeHops(String encoded) {
        Map<String, Double> medians = new java.util.LinkedHashMap<>();
        if (encoded.equals("-")) {
            return medians;
        }
        for (String entry : encoded.split(";")) {
            int equals = entry.indexOf('=');
            medians.put(Hops.SEGMENTS.get(Integer.parseInt(entry.substring(0, equals))).name(),
                    Double.parseDouble(entry.substring(equals + 1)));
        }
        return medians;
    }
}
