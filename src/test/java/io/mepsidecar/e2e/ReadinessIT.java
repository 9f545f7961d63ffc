package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Readiness follows the broker and the app: down while either is away, up again when it is back, without a
 * restart of the sidecar. Runs its own broker so it can stop it.
 */
class ReadinessIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final Duration RECOVERY = Duration.ofSeconds(60);

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(1, "e2e.echo", "e2e.status", "e2e.gone", "probed-caller.replies", "probed-service.replies");
        app = TestApp.start();
        service = SidecarProcess.builder("probed-service").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("echo")
                .env("MEP_APP_HEALTH_PATH", "/health").env("MEP_HEALTH_CHECK_INTERVAL", "500ms")
                .start();
        caller = SidecarProcess.builder("probed-caller").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).env("MEP_HEALTH_CHECK_INTERVAL", "500ms")
                .start();
    }

    @AfterAll
    static void stop() {
        Closer.closeAll(caller, service, app, broker);
    }

    @Test
    void readinessFollowsTheAppsHealth() {
        app.healthy(false);
        await().atMost(RECOVERY).until(() -> readiness(service) == 503);
        given().get(service.managementUrl() + "/q/health/ready").then().body(containsString("\"app\""));
        assertThat(readiness(caller)).isEqualTo(200);

        app.healthy(true);
        await().atMost(RECOVERY).until(() -> readiness(service) == 200);
    }

    @Test
    void readinessFollowsTheBrokerAndCallsWorkAgainAfterItReturns() {
        broker.stop();
        await().atMost(RECOVERY).until(() -> readiness(caller) == 503 && readiness(service) == 503);
        assertThat(Metrics.value(Metrics.scrape(metrics(caller)), "mep_ready", "")).isZero();

        broker.restart();
        await().atMost(RECOVERY).until(() -> readiness(caller) == 200 && readiness(service) == 200);
        assertThat(Metrics.value(Metrics.scrape(metrics(caller)), "mep_ready", "")).isEqualTo(1);
        await().atMost(RECOVERY).untilAsserted(() -> given().baseUri(caller.url()).contentType("text/plain")
                .body("back again").post("/v1/invoke/echo").then().statusCode(200).body(equalTo("back again")));
    }

    private static int readiness(SidecarProcess sidecar) {
        return given().get(sidecar.managementUrl() + "/q/health/ready").statusCode();
    }

    private static URL metrics(SidecarProcess sidecar) {
        try {
            return new URL(sidecar.managementUrl() + "/q/metrics");
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
