package io.mepsidecar.demo;

import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.SidecarProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The local demo ({@code ./mvnw -Pdemo package}): a quote app behind a service-side sidecar, a caller-side sidecar
 * in front of it, and a Kafka broker between them (an embedded one unless {@code KAFKA_BOOTSTRAP_SERVERS} is set).
 * It runs a real call with curl, prints it and the reply, and keeps running until Ctrl-C so you can try your own
 * calls ({@code -Ddemo.once=true} stops after the first round trip).
 */
public final class Demo {

    static final Path CONTRACT = Path.of("examples/contract.yaml");

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final PrintStream out;

    Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Demo demo = new Demo(System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stop));
        demo.run(new Ports(7070, 9090, 7071, 9091, 8081));
        if (Boolean.getBoolean("demo.once")) {
            demo.stop();
            return;
        }
        demo.out.println("\nRunning until Ctrl-C. Try it yourself:\n  " + shell(curl(7070, "GLOBEX")));
        new CountDownLatch(1).await();
    }

    /** Ports of the demo's parts, all on 127.0.0.1. */
    record Ports(int caller, int callerManagement, int service, int serviceManagement, int app) {
    }

    /** Starts every part and makes one call through them; returns the output of that call. */
    String run(Ports ports) throws IOException, InterruptedException {
        String bootstrap = broker();
        QuoteApp app = QuoteApp.start(ports.app());
        started.push(app);
        out.println("quote app            " + app.url() + "  (plain HTTP, knows nothing of Kafka)");
        started.push(SidecarProcess.builder("quote-service").bootstrapServers(bootstrap).contract(CONTRACT)
                .appUrl(app.url()).serves("get-quote").ports(ports.service(), ports.serviceManagement()).start());
        out.println("service sidecar      http://127.0.0.1:" + ports.service() + "  serves get-quote for the app");
        started.push(SidecarProcess.builder("frontend").bootstrapServers(bootstrap).contract(CONTRACT)
                .ports(ports.caller(), ports.callerManagement()).start());
        out.println("caller sidecar       http://127.0.0.1:" + ports.caller() + "  (logs under target/sidecar-logs)");
        List<String> command = curl(ports.caller(), "ACME");
        out.println("\n$ " + shell(command));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String result = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        curl.waitFor();
        out.println(result);
        return result;
    }

    private String broker() {
        String configured = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (configured != null && !configured.isBlank()) {
            out.println("kafka broker         " + configured + "  (from KAFKA_BOOTSTRAP_SERVERS)");
            return configured;
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        started.push(broker);
        out.println("kafka broker         " + broker.bootstrapServers() + "  (embedded, KRaft, for this demo only)");
        return broker.bootstrapServers();
    }

    private static List<String> curl(int port, String symbol) {
        return List.of("curl", "-sS", "-i", "-X", "POST", "http://127.0.0.1:" + port + "/v1/invoke/get-quote",
                "-H", "Content-Type: application/json", "-d", "{\"symbol\":\"" + symbol + "\"}");
    }

    /** The command as it would be typed in a POSIX shell. */
    static String shell(List<String> command) {
        return command.stream()
                .map(arg -> arg.matches("[A-Za-z0-9_./:=-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }

    synchronized void stop() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                out.println("while stopping: " + e);
            }
        }
    }
}
