package io.mepsidecar.faults;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Ledger;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM of a service sidecar, the way Kubernetes stops a pod, in both consumption modes. Within its grace period it
 * lets the requests at its app finish, publishes their replies and commits (acknowledges) them before it exits, so
 * nothing is delivered again after its restart. A request still unfinished at the end of the grace period is given
 * back (left uncommitted, or released to the share group), and the restarted replica answers it. (The caller side:
 * {@link CallerGracefulStopIT}.)
 */
@ParameterizedClass
@EnumSource(ConsumptionMode.class)
class GracefulStopIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final String GROUP = "stop-service";
    private static final int IN_FLIGHT = 20;

    @Parameter
    ConsumptionMode mode;

    private EmbeddedKafkaBroker broker;
    private TestApp app;

    /** A broker of its own for each test: the other test's requests are not on its topic. */
    @BeforeEach
    void startBrokerAndApp() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.work", "stop-front.replies");
        app = TestApp.start();
    }

    @AfterEach
    void stopBrokerAndApp() {
        Closer.closeAll(app, broker);
    }

    @Test
    void aStoppingServiceSidecarFinishesTheRequestsAtItsAppAndNoneIsDeliveredAgain() throws Exception {
        SidecarProcess service = service("a", "15s");
        SidecarProcess caller = caller();
        SidecarProcess restarted = null;
        try {
            List<String> locations = callAsync(caller, IN_FLIGHT, "3000");
            List<String> ids = ids(locations);
            await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> Ledger.executions(id) == 1));

            service.terminate();

            await().atMost(Duration.ofSeconds(2)).until(() -> readinessStatus(service) == 503);
            for (String location : locations) {
                result(caller, location).then().statusCode(200);
            }
            assertThat(service.awaitExit(Duration.ofSeconds(20))).isPresent();
            awaitUnfinished(0);

            restarted = service("a", "15s");
            given().baseUri(caller.url()).contentType("text/plain").body("10").post("/v1/invoke/work")
                    .then().statusCode(200);
            assertThat(ids).allSatisfy(id -> assertThat(Ledger.executions(id)).as(id).isEqualTo(1));
        } finally {
            Closer.closeAll(restarted, caller, service);
        }
    }

    @Test
    void requestsUnfinishedWhenTheGracePeriodEndsAreGivenBackAndAnsweredAfterTheRestart() throws Exception {
        SidecarProcess stopping = service("a", "2s");
        SidecarProcess caller = caller();
        SidecarProcess restarted = null;
        try {
            List<String> locations = callAsync(caller, 4, "8000");
            List<String> ids = ids(locations);
            await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> Ledger.executions(id) == 1));

            stopping.terminate();

            assertThat(stopping.awaitExit(Duration.ofSeconds(20))).isPresent();
            awaitUnfinished(ids.size());
            restarted = service("a", "15s");
            for (String location : locations) {
                result(caller, location).then().statusCode(200);
            }
            assertThat(ids).allSatisfy(id -> assertThat(Ledger.executions(id)).as(id).isEqualTo(2));
            String served = "operation=\"work\",role=\"service\",outcome=\"ok\"";
            assertThat(Metrics.value(restarted, "mep_calls_total", served)).isEqualTo(ids.size());
            awaitUnfinished(0);
        } finally {
            Closer.closeAll(restarted, caller, stopping);
        }
    }

    private SidecarProcess service(String instance, String grace) {
        return SidecarProcess.builder(GROUP).bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("work").consumption(mode).env("MEP_INSTANCE_ID", instance)
                .env("MEP_SERVICE_MAX_CONCURRENCY", "32").env("MEP_SHUTDOWN_GRACE", grace).start();
    }

    /**
     * Waits until that many requests are unfinished in the group: a share group's backlog is read from state the
     * broker writes a moment after the acknowledgements.
     */
    private void awaitUnfinished(long count) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
                mode.unfinished(broker.bootstrapServers(), GROUP, "e2e.work")).isEqualTo(count));
    }

    private SidecarProcess caller() {
        return SidecarProcess.builder("stop-front").bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .start();
    }

    /** Makes that many asynchronous calls of {@code work} and returns the locations of their results. */
    private static List<String> callAsync(SidecarProcess caller, int count, String workMillis) {
        return IntStream.range(0, count).mapToObj(i -> given().baseUri(caller.url())
                .header("Prefer", "respond-async").contentType("text/plain")
                .body(workMillis).post("/v1/invoke/work").then().statusCode(202).extract().header("Location"))
                .collect(Collectors.toList());
    }

    private static List<String> ids(List<String> locations) {
        return locations.stream().map(l -> l.substring(l.lastIndexOf('/') + 1)).collect(Collectors.toList());
    }

    private static Response result(SidecarProcess caller, String location) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> given().baseUri(caller.url()).get(location), r -> r.statusCode() != 202);
    }

    private static int readinessStatus(SidecarProcess sidecar) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sidecar.managementUrl()
                    + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
