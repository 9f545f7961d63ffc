package io.mepsidecar.faults;

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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two service replicas under a steady load of asynchronous calls while the broker goes away and comes back, with
 * requests at the apps: their reply publishes fail for longer than the producer's own delivery timeout. Failed
 * publishes are retried in place: no consumer restarts, and every call accepted with 202 gets its result. On a
 * consumer group no rebalance happens (the membership never changes) and no request is executed twice. A share group
 * forgets the locks of acquired records when the broker restarts, so the requests at the apps at that moment are
 * delivered again (protocol section 6); no other is. (A failure of the reply topic alone, with the broker up, cannot
 * be made on one broker: Kafka caps min.insync.replicas at the replication factor.)
 */
@ParameterizedClass
@EnumSource(ConsumptionMode.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceFaultsIT {

    private static final Path CONTRACT = Path.of("src/test/resources/service-faults-contract.yaml");
    private static final String REPLY_TOPIC = "faults-front.replies";
    private static final String GROUP = "faults-service";

    @Parameter
    ConsumptionMode mode;

    private EmbeddedKafkaBroker broker;
    private TestApp appA;
    private TestApp appB;
    private SidecarProcess serviceA;
    private SidecarProcess serviceB;
    private SidecarProcess caller;

    @BeforeParameterizedClassInvocation
    void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(4, "e2e.work");
        broker.createTopics(2, REPLY_TOPIC);
        appA = TestApp.start();
        appB = TestApp.start();
        serviceA = service(appA, "a");
        serviceB = service(appB, "b");
        caller = SidecarProcess.builder("faults-front").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).start();
    }

    @AfterParameterizedClassInvocation
    void stopTopology() {
        Closer.closeAll(caller, serviceB, serviceA, appB, appA, broker);
    }

    @Test
    void aBrokerOutageWithRequestsAtTheAppsLosesNoCallAndRestartsNoConsumer() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> mode.replicasAtWork(broker.bootstrapServers(), GROUP)
                .size() == 2);
        if (mode == ConsumptionMode.CONSUMER_GROUP) {
            await().atMost(Duration.ofSeconds(30)).until(() -> rebalances(serviceA) >= 1 && rebalances(serviceB) >= 1);
        }
        double before = rebalances(serviceA) + rebalances(serviceB);
        Map<String, String> accepted = new ConcurrentHashMap<>();
        Set<String> startedBeforeRestart = new HashSet<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService load = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4; i++) {
            load.execute(() -> {
                while (loading.get()) {
                    Response response = given().baseUri(caller.url()).header("Prefer", "respond-async")
                            .contentType("text/plain").body("1500").post("/v1/invoke/work");
                    if (response.statusCode() == 202) {
                        accepted.put(response.header("Mep-Correlation-Id"), response.header("Location"));
                    }
                }
            });
        }
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 40);

            // The broker goes away while requests are at the apps: their replies cannot be published for longer
            // than the producer's own delivery timeout, and are tried again in place until it is back.
            double retries = publishRetries();
            broker.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> publishRetries() > retries);
            startedBeforeRestart.addAll(Ledger.started());
            broker.restart();
            int afterOutage = accepted.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= afterOutage + 40);
        } finally {
            loading.set(false);
            load.shutdown();
            load.awaitTermination(30, TimeUnit.SECONDS);
        }

        for (Map.Entry<String, String> call : accepted.entrySet()) {
            Response result = await().atMost(Duration.ofSeconds(45))
                    .until(() -> given().baseUri(caller.url()).get(call.getValue()), r -> r.statusCode() != 202);
            assertThat(result.statusCode()).as("result of " + call.getKey()).isEqualTo(200);
            assertThat(Ledger.executions(call.getKey())).as("executions of " + call.getKey()).isPositive();
        }
        Set<String> repeated = Ledger.repeated(accepted.keySet());
        if (mode == ConsumptionMode.CONSUMER_GROUP) {
            assertThat(repeated).as("requests executed twice").isEmpty();
            assertThat(Ledger.overlapping(accepted.keySet())).as("requests at two apps at once").isEmpty();
            assertThat(rebalances(serviceA) + rebalances(serviceB)).as("rebalances").isEqualTo(before);
        } else {
            // The broker's restart ends the share sessions and the locks it held: records at the apps then are
            // delivered again (at least once). None that arrived after the restart is.
            assertThat(repeated).as("requests executed twice").isSubsetOf(startedBeforeRestart);
        }
        for (SidecarProcess service : List.of(serviceA, serviceB)) {
            assertThat(Metrics.value(service, "mep_consumer_restarts_total", "consumer=\"request\"")).isZero();
        }
    }

    private SidecarProcess service(TestApp app, String instance) {
        return SidecarProcess.builder(GROUP).bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("work").consumption(mode).env("MEP_INSTANCE_ID", instance).start();
    }

    private double publishRetries() throws Exception {
        return Metrics.value(serviceA, "mep_service_publish_retries_total", "")
                + Metrics.value(serviceB, "mep_service_publish_retries_total", "");
    }

    private static double rebalances(SidecarProcess sidecar) throws Exception {
        return Metrics.value(sidecar, "mep_service_rebalances_total", "");
    }

}
