package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.FreePorts;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus scrapes running sidecars and answers the operator's question — how many calls are in flight,
 * where — and loads the shipped alert rules, which promtool also checks and unit-tests. Needs the {@code prometheus}
 * and {@code promtool} binaries (Debian package {@code prometheus}); run with {@code ./mvnw -Pprometheus verify}.
 */
class PrometheusIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final Path RULES = Path.of("monitoring/prometheus/mep-sidecar-alerts.yaml");
    private static final Path RULE_TESTS = Path.of("monitoring/prometheus/mep-sidecar-alerts.test.yaml");
    private static final Duration SCRAPED = Duration.ofSeconds(60);

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;
    private static Process prometheus;
    private static String prometheusUrl;

    @BeforeAll
    static void start() throws IOException {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(1, "e2e.slow", "e2e.echo", "scraped-caller.replies", "scraped-service.replies");
        app = TestApp.start();
        service = SidecarProcess.builder("scraped-service").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("slow").start();
        caller = SidecarProcess.builder("scraped-caller").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).start();
        prometheus = startPrometheus();
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.destroy();
        }
        Closer.closeAll(caller, service, app, broker);
    }

    @Test
    void prometheusShowsCallsInFlightPerRoleThenZero() {
        IntStream.range(0, 3).forEach(i -> given().baseUri(caller.url()).header("Prefer", "respond-async")
                .contentType("text/plain").body("held-" + i).post("/v1/invoke/slow").then().statusCode(202));

        await().atMost(SCRAPED).until(() -> query("sum(mep_calls_in_flight{operation=\"slow\",role=\"caller\"})")
                == 3 && query("sum(mep_calls_in_flight{operation=\"slow\",role=\"service\"})") == 3);
        app.holdSlow(false);

        await().atMost(SCRAPED).until(() -> query("sum(mep_calls_in_flight{operation=\"slow\"})") == 0);
        await().atMost(SCRAPED).until(() -> query(
                "sum(mep_calls_total{operation=\"slow\",role=\"caller\",outcome=\"ok\"})") == 3);
    }

    @Test
    void prometheusLoadsTheShippedAlertRules() {
        await().atMost(SCRAPED).untilAsserted(() -> {
            JsonPath rules = given().get(prometheusUrl + "/api/v1/rules").jsonPath();
            assertThat(rules.getList("data.groups.rules.flatten().name", String.class))
                    .contains("MepSidecarInFlightHigh", "MepSidecarTimeoutRatioHigh", "MepSidecarConsumerLagHigh",
                            "MepSidecarNotReady");
            assertThat(rules.getList("data.groups.rules.flatten().health", String.class)).containsOnly("ok");
        });
    }

    @Test
    void promtoolAcceptsAndUnitTestsTheAlertRules() throws Exception {
        assertThat(run("promtool", "check", "rules", RULES.toString())).isZero();
        assertThat(run("promtool", "test", "rules", RULE_TESTS.toString())).isZero();
    }

    private static double query(String promql) {
        List<String> value = given().queryParam("query", promql).get(prometheusUrl + "/api/v1/query")
                .jsonPath().getList("data.result[0].value", String.class);
        return value == null || value.size() < 2 ? -1 : Double.parseDouble(value.get(1));
    }

    private static Process startPrometheus() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "prometheus"));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - " + RULES.toAbsolutePath(),
                "scrape_configs:",
                "  - job_name: mep-sidecar",
                "    metrics_path: /q/metrics",
                "    static_configs:",
                "      - targets: ['" + host(caller) + "', '" + host(service) + "']",
                ""));
        int port = FreePorts.next();
        prometheusUrl = "http://127.0.0.1:" + port;
        Process process = new ProcessBuilder("prometheus", "--config.file=" + config.toAbsolutePath(),
                "--storage.tsdb.path=" + dir.resolve("data").toAbsolutePath(),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        await("prometheus ready").atMost(SCRAPED).ignoreExceptions()
                .until(() -> given().get(prometheusUrl + "/-/ready").statusCode() == 200);
        return process;
    }

    private static String host(SidecarProcess sidecar) {
        return sidecar.managementUrl().replace("http://", "");
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
        }
        return process.exitValue();
    }

    static {
        if (!onPath("prometheus") || !onPath("promtool")) {
            throw new IllegalStateException("PrometheusIT needs the prometheus and promtool binaries:"
                    + " apt-get install -y --no-install-recommends prometheus");
        }
    }

    private static boolean onPath(String binary) {
        return System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, binary)));
    }

}
