package io.mepsidecar.faults;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.FreePorts;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.response.Response;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Replicas and restarts of sidecar processes on a real broker: each caller replica fetches only the replies meant
 * for it; asynchronous calls outlive the caller sidecar (restarted in the same pod, or gone for good with another
 * replica taking over); a deferred reply can be PUT after the service sidecar that delivered the request is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicasIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");

    private EmbeddedKafkaBroker broker;
    private TestApp app;
    private final List<AutoCloseable> started = new ArrayList<>();

    @BeforeAll
    void startBroker() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.work", "e2e.slow", "e2e.accept-only");
    }

    @AfterAll
    void stopBroker() {
        Closer.closeAll(broker);
    }

    @BeforeEach
    void startApp() {
        app = TestApp.start();
    }

    @AfterEach
    void stopProcesses() {
        app.releaseSlow();
        List<AutoCloseable> all = new ArrayList<>(started);
        all.add(app);
        Closer.closeAll(all.toArray(AutoCloseable[]::new));
        started.clear();
    }

    @Test
    void eachCallerReplicaFetchesOnlyTheRepliesMeantForIt() throws Exception {
        sidecar(SidecarProcess.builder("rep-service").serves("work").appUrl(app.url()));
        List<SidecarProcess> callers = List.of(caller("rep-front"), caller("rep-front"), caller("rep-front"));
        await("every replica owns a reply partition").atMost(Duration.ofSeconds(30)).until(() -> callers.stream()
                .allMatch(c -> Metrics.value(c, "mep_caller_replies_fetched_total", "") >= 0));

        int calls = 90;
        for (int i = 0; i < calls; i++) {
            SidecarProcess caller = callers.get(i % callers.size());
            given().baseUri(caller.url()).contentType("text/plain").body("1").post("/v1/invoke/work")
                    .then().statusCode(200);
        }

        long produced = endOffsets("rep-front.replies");
        double fetched = callers.stream().mapToDouble(c -> Metrics.value(c, "mep_caller_replies_fetched_total", ""))
                .sum();
        assertThat(produced).isGreaterThanOrEqualTo(calls);
        assertThat(fetched).as("reply records fetched by the 3 replicas together").isLessThanOrEqualTo(1.1 * produced);
    }

    @Test
    void aCallerSidecarKilledAndRestartedInTheSamePodDeliversTheResultsOfItsAsyncCalls() {
        sidecar(SidecarProcess.builder("restart-service").serves("slow").appUrl(app.url()));
        int port = FreePorts.next();
        int managementPort = FreePorts.next();
        SidecarProcess first = sidecar(callerBuilder("restart-front").env("MEP_INSTANCE_ID", "front-pod-1")
                .ports(port, managementPort));
        String body = "survives-" + UUID.randomUUID();
        String id = asyncCall(first, "slow", body, "/results/restart");
        await().until(() -> app.slowNow() >= 1);

        first.kill();
        app.releaseSlow(); // the reply arrives while the caller sidecar is down
        SidecarProcess second = sidecar(callerBuilder("restart-front").env("MEP_INSTANCE_ID", "front-pod-1")
                .ports(port, managementPort));

        Response result = await().atMost(Duration.ofSeconds(30)).until(
                () -> given().baseUri(second.url()).get("/v1/replies/" + id), r -> r.statusCode() != 202);
        result.then().statusCode(200);
        assertThat(result.asString()).isEqualTo(body);
        await().atMost(Duration.ofSeconds(30)).until(() -> callbacks("/results/restart", id) == 1);
    }

    @Test
    void whenTheCallerPodIsGoneAnotherReplicaAnswersItsAsyncCallsAndDeliversTheirCallbacks() {
        sidecar(SidecarProcess.builder("gone-service").serves("slow").appUrl(app.url()));
        SidecarProcess gone = caller("gone-front");
        SidecarProcess other = caller("gone-front");
        String body = "taken-over-" + UUID.randomUUID();
        String id = asyncCall(gone, "slow", body, "/results/gone");
        await().until(() -> app.slowNow() >= 1);
        given().baseUri(other.url()).get("/v1/replies/" + id).then().statusCode(202); // pending, known to both

        gone.kill();
        app.releaseSlow();

        // the replica that is gone held its partitions until its session expired (10 s): then the other reads them
        Response result = await().atMost(Duration.ofSeconds(40)).until(
                () -> given().baseUri(other.url()).get("/v1/replies/" + id), r -> r.statusCode() != 202);
        result.then().statusCode(200);
        assertThat(result.asString()).isEqualTo(body);
        await().atMost(Duration.ofSeconds(30)).until(() -> callbacks("/results/gone", id) == 1);
        given().baseUri(other.url()).delete("/v1/replies/" + id).then().statusCode(204);
        given().baseUri(other.url()).get("/v1/replies/" + id).then().statusCode(404);
    }

    @Test
    void aDeferredReplyIsPutAfterTheServiceSidecarThatDeliveredTheRequestIsGone() throws Exception {
        SidecarProcess delivered = sidecar(SidecarProcess.builder("defer-service").serves("accept-only")
                .appUrl(app.url()));
        SidecarProcess caller = caller("defer-front");
        String body = "deferred-" + UUID.randomUUID();
        var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().baseUri(caller.url())
                .contentType("text/plain").body(body).post("/v1/invoke/accept-only"));
        String id = await().until(() -> app.received().stream()
                .filter(r -> r.path().equals("/accept-only") && body.equals(new String(r.body(),
                        StandardCharsets.UTF_8)))
                .map(r -> r.header("Mep-Correlation-Id")).findFirst().orElse(null), found -> found != null);
        // the app has the request; its 202 is on the state topic once the sidecar has read the deferral back (before
        // that, a sidecar killed leaves the request to be delivered again, and a PUT meanwhile is a 404)
        await().until(() -> Metrics.value(delivered, "mep_service_replies_kept", "") >= 1);

        delivered.kill();
        SidecarProcess replacement = sidecar(SidecarProcess.builder("defer-service").serves("accept-only")
                .appUrl(app.url()));
        given().baseUri(replacement.url()).contentType("text/plain").body("late " + body)
                .put("/v1/replies/" + id).then().statusCode(204);
        given().baseUri(replacement.url()).contentType("text/plain").body("late " + body)
                .put("/v1/replies/" + id).then().statusCode(204); // the same reply again: a no-op
        given().baseUri(replacement.url()).contentType("text/plain").body("other")
                .put("/v1/replies/" + id).then().statusCode(409);

        Response answer = call.get(40, java.util.concurrent.TimeUnit.SECONDS);
        answer.then().statusCode(200).header("Mep-Correlation-Id", id);
        assertThat(answer.asString()).isEqualTo("late " + body);
    }

    private String asyncCall(SidecarProcess caller, String operation, String body, String callback) {
        Response accepted = given().baseUri(caller.url()).header("Prefer", "respond-async")
                .header("Mep-Callback", callback).contentType("text/plain").body(body)
                .post("/v1/invoke/" + operation);
        accepted.then().statusCode(202);
        return accepted.header("Mep-Correlation-Id");
    }

    private long callbacks(String path, String id) {
        return app.received().stream()
                .filter(r -> r.path().equals(path) && id.equals(r.header("Mep-Correlation-Id"))).count();
    }

    private SidecarProcess caller(String appName) {
        return sidecar(callerBuilder(appName));
    }

    private SidecarProcess.Builder callerBuilder(String appName) {
        return SidecarProcess.builder(appName).appUrl(app.url());
    }

    private SidecarProcess sidecar(SidecarProcess.Builder builder) {
        SidecarProcess sidecar = builder.bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .env("MEP_SHUTDOWN_GRACE", "2s").start();
        started.add(sidecar);
        return sidecar;
    }

    private long endOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> latest = java.util.stream.IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }
}
