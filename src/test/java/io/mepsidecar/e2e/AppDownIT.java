package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Ledger;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas of a service, each with its own app, in both consumption modes: when one app goes away, its replica
 * hands its requests to the other instead of answering 502 and stops taking work (leaves the consumer group, or closes
 * its share consumers), and takes its share again once its app is back. No request runs at two apps at once. On a
 * consumer group each of these membership changes moves partitions in one rebalance per replica, and only the
 * partitions that have to move.
 */
@ParameterizedClass
@EnumSource(ConsumptionMode.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppDownIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final String GROUP = "down-service";

    @Parameter
    ConsumptionMode mode;

    private EmbeddedKafkaBroker broker;
    private TestApp appA;
    private TestApp appB;
    private SidecarProcess serviceA;
    private SidecarProcess serviceB;
    private SidecarProcess caller;
    private ExecutorService clients;
    private final Set<String> calls = ConcurrentHashMap.newKeySet();

    @BeforeParameterizedClassInvocation
    void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(4, "e2e.work");
        broker.createTopics(1, "down-front.replies");
        appA = TestApp.start();
        appB = TestApp.start();
        serviceA = service(appA, "replica-a");
        serviceB = service(appB, "replica-b");
        caller = SidecarProcess.builder("down-front").bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .start();
        clients = Executors.newFixedThreadPool(8);
    }

    @AfterParameterizedClassInvocation
    void stopTopology() {
        clients.shutdownNow();
        Closer.closeAll(caller, serviceB, serviceA, appB, appA, broker);
    }

    @Test
    void aReplicaWhoseAppGoesAwayHandsItsRequestsToTheOtherAndComesBackWithIt() throws Exception {
        awaitAtWork("replica-a", "replica-b");
        double rebalancesA = rebalances(serviceA);
        int port = appB.port();

        appB.close();
        List<Integer> statuses = callMany(40);

        assertThat(statuses).as("every call answered by the replica whose app is there").containsOnly(200);
        assertThat(Metrics.value(serviceB, "mep_calls_total", "role=\"service\",outcome=\"handed_back\"")).isPositive();
        assertThat(Metrics.value(serviceB, "mep_calls_total", "role=\"service\",outcome=\"undeliverable\"")).isZero();
        assertThat(Metrics.value(serviceB, "mep_service_app_available", "")).isZero();
        awaitAtWork("replica-a");
        if (mode == ConsumptionMode.CONSUMER_GROUP) {
            assertThat(rebalances(serviceA) - rebalancesA).as("rebalances of A when B left").isEqualTo(1);
        }

        double givenUpA = Metrics.value(serviceA, "mep_service_partitions_given_up_total", "");
        appB = TestApp.start(port);
        awaitAtWork("replica-a", "replica-b");
        assertThat(callMany(20)).containsOnly(200);
        if (mode == ConsumptionMode.CONSUMER_GROUP) {
            assertThat(rebalances(serviceA) - rebalancesA).as("rebalances of A when B left and came back")
                    .isEqualTo(2);
            assertThat(Metrics.value(serviceA, "mep_service_partitions_given_up_total", "") - givenUpA)
                    .as("partitions A gave up when B came back: only those that moved to B").isEqualTo(2);
        }
        assertThat(Ledger.overlapping(calls)).as("requests at two apps at once").isEmpty();
    }

    @Test
    void aReplicaWhoseAppReportsUnhealthyStopsTakingWorkUntilItIsHealthyAgain() throws Exception {
        TestApp appC = TestApp.start();
        SidecarProcess serviceC = SidecarProcess.builder(GROUP).bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(appC.url()).serves("work").consumption(mode)
                .env("MEP_INSTANCE_ID", "replica-c").env("MEP_APP_HEALTH_PATH", "/health")
                .env("MEP_HEALTH_CHECK_INTERVAL", "500ms").start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> atWork().contains(replica("replica-c")));

            appC.healthy(false);

            await().atMost(Duration.ofSeconds(30)).until(() -> !atWork().contains(replica("replica-c")));
            assertThat(Metrics.value(serviceC, "mep_service_app_available", "")).isZero();
            assertThat(callMany(10)).containsOnly(200);
            appC.healthy(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> atWork().contains(replica("replica-c")));
        } finally {
            Closer.closeAll(serviceC, appC);
        }
    }

    private SidecarProcess service(TestApp app, String instance) {
        return SidecarProcess.builder(GROUP).bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("work").consumption(mode).env("MEP_INSTANCE_ID", instance).start();
    }

    /** Makes calls from 8 threads at once and returns their statuses. */
    private List<Integer> callMany(int count) {
        List<CompletableFuture<Integer>> pending = IntStream.range(0, count)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                    Response response = given().baseUri(caller.url()).contentType("text/plain").body("20")
                            .post("/v1/invoke/work");
                    if (response.header("Mep-Correlation-Id") != null) {
                        calls.add(response.header("Mep-Correlation-Id"));
                    }
                    return response.statusCode();
                }, clients))
                .collect(Collectors.toList());
        return pending.stream().map(CompletableFuture::join).collect(Collectors.toList());
    }

    /**
     * Waits until exactly these replicas are given work by the broker, and (consumer group) no rebalance is under way:
     * one still settling, say as a replica of an earlier test leaves, would count as a rebalance of the test's.
     */
    private void awaitAtWork(String... instances) {
        Set<String> expected = Set.of(instances).stream().map(AppDownIT::replica).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(40)).until(() -> atWork().equals(expected)
                && mode.settled(broker.bootstrapServers(), GROUP, "e2e.work"));
    }

    private Set<String> atWork() throws Exception {
        return mode.replicasAtWork(broker.bootstrapServers(), GROUP);
    }

    private static String replica(String instance) {
        return ConsumptionMode.replica(GROUP, instance);
    }

    private static double rebalances(SidecarProcess sidecar) throws Exception {
        return Metrics.value(sidecar, "mep_service_rebalances_total", "");
    }
}
