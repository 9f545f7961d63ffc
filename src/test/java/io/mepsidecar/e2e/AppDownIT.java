package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Ledger;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas of a service, each with its own app: when one app goes away, its replica hands its requests and its
 * partitions to the other instead of answering 502, and takes its share again once its app is back. Each of these
 * membership changes moves partitions in one rebalance per replica, and no request runs at two apps at once.
 */
class AppDownIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final String GROUP = "down-service";

    private static EmbeddedKafkaBroker broker;
    private static TestApp appA;
    private static TestApp appB;
    private static SidecarProcess serviceA;
    private static SidecarProcess serviceB;
    private static SidecarProcess caller;
    private static ExecutorService clients;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(4, "e2e.work");
        broker.createTopics(1, "down-front.replies");
        appA = TestApp.start();
        appB = TestApp.start();
        serviceA = service(appA);
        serviceB = service(appB);
        caller = SidecarProcess.builder("down-front").bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .start();
        clients = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    static void stopTopology() {
        clients.shutdownNow();
        Closer.closeAll(caller, serviceB, serviceA, appB, appA, broker);
    }

    @Test
    void aReplicaWhoseAppGoesAwayHandsItsRequestsToTheOtherAndComesBackWithIt() throws Exception {
        awaitPartitions(2);
        double rebalancesA = rebalances(serviceA);
        int port = appB.port();

        appB.close();
        List<Integer> statuses = callMany(40);

        assertThat(statuses).as("every call answered by the replica whose app is there").containsOnly(200);
        assertThat(Metrics.value(serviceB, "mep_calls_total", "role=\"service\",outcome=\"handed_back\"")).isPositive();
        assertThat(Metrics.value(serviceB, "mep_calls_total", "role=\"service\",outcome=\"undeliverable\"")).isZero();
        assertThat(Metrics.value(serviceB, "mep_service_app_available", "")).isZero();
        awaitPartitions(1);
        assertThat(rebalances(serviceA) - rebalancesA).as("rebalances of A when B left").isEqualTo(1);

        double givenUpA = Metrics.value(serviceA, "mep_service_partitions_given_up_total", "");
        appB = TestApp.start(port);
        awaitPartitions(2);
        assertThat(callMany(20)).containsOnly(200);
        assertThat(rebalances(serviceA) - rebalancesA).as("rebalances of A when B left and came back").isEqualTo(2);
        assertThat(Metrics.value(serviceA, "mep_service_partitions_given_up_total", "") - givenUpA)
                .as("partitions A gave up when B came back: only those that moved to B").isEqualTo(2);
        assertThat(Ledger.overlapping()).as("requests at two apps at once").isEmpty();
    }

    @Test
    void aReplicaWhoseAppReportsUnhealthyLeavesTheGroupUntilItIsHealthyAgain() throws Exception {
        TestApp appC = TestApp.start();
        SidecarProcess serviceC = SidecarProcess.builder("down-service").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(appC.url()).serves("work").env("MEP_INSTANCE_ID", "replica-c")
                .env("MEP_APP_HEALTH_PATH", "/health")
                .env("MEP_HEALTH_CHECK_INTERVAL", "500ms").start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> hasPartitions("replica-c"));

            appC.healthy(false);

            await().atMost(Duration.ofSeconds(30)).until(() -> !hasPartitions("replica-c"));
            assertThat(Metrics.value(serviceC, "mep_service_app_available", "")).isZero();
            assertThat(callMany(10)).containsOnly(200);
            appC.healthy(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> hasPartitions("replica-c"));
        } finally {
            Closer.closeAll(serviceC, appC);
        }
    }

    private static SidecarProcess service(TestApp app) {
        return SidecarProcess.builder(GROUP).bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("work").start();
    }

    /** Makes calls from 8 threads at once and returns their statuses. */
    private static List<Integer> callMany(int count) throws Exception {
        List<CompletableFuture<Integer>> calls = IntStream.range(0, count).mapToObj(i -> CompletableFuture.supplyAsync(
                () -> given().baseUri(caller.url()).contentType("text/plain").body("20")
                        .header("X-Call", UUID.randomUUID().toString()).post("/v1/invoke/work").statusCode(), clients))
                .collect(Collectors.toList());
        return calls.stream().map(CompletableFuture::join).collect(Collectors.toList());
    }

    /** Waits until that many members of the group hold partitions. */
    private static void awaitPartitions(int members) {
        await().atMost(Duration.ofSeconds(40)).until(() -> describeGroup().stream()
                .filter(m -> !m.assignment().topicPartitions().isEmpty()).count() == members);
    }

    /** True when the replica with that instance id holds partitions of the group. */
    private static boolean hasPartitions(String instanceId) throws Exception {
        String clientId = "mep-" + GROUP + "-" + instanceId + "-requests";
        return describeGroup().stream().anyMatch(m -> m.clientId().equals(clientId)
                && !m.assignment().topicPartitions().isEmpty());
    }

    private static List<MemberDescription> describeGroup() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            return List.copyOf(admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP).members());
        }
    }

    private static double rebalances(SidecarProcess sidecar) throws Exception {
        return Metrics.value(sidecar, "mep_service_rebalances_total", "");
    }

}
