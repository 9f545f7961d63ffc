package io.mepsidecar.e2e;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Ledger;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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
 * What share groups (KIP-932) give the service role beyond consumer groups, on a request topic of one partition:
 * three replicas work on it at once; a request an app cannot take goes to another replica at once; a request that
 * outlives its acquisition lock is renewed and served once; poison and requests that fail every delivery end in the
 * dead-letter topic while the others flow; a stopping replica gives back what it could not finish, and the others
 * answer it. (The behaviour both modes share is tested in both: {@link AppDownIT}, {@code faults.GracefulStopIT},
 * {@code faults.ServiceFaultsIT}, {@link ReplyTopicMissingIT}.)
 */
class ShareGroupIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final String GROUP = "share-service";
    private static final int SLOTS = 4;
    /** Shorter than a long request (8 s), long enough to keep renewals in time on a loaded machine (1 s apart). */
    private static final int LOCK_MS = 6_000;
    private static final int MAX_DELIVERIES = 3;

    private static EmbeddedKafkaBroker broker;
    private static final TestApp[] APPS = new TestApp[3];
    private static final SidecarProcess[] SERVICES = new SidecarProcess[3];
    private static SidecarProcess caller;
    private static ExecutorService clients;
    private static final Set<String> CALLS = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(1, "e2e.work", "e2e.stuck-event", "share-front.replies");
        broker.setGroupConfig(GROUP, "share.record.lock.duration.ms", Integer.toString(LOCK_MS));
        for (int i = 0; i < APPS.length; i++) {
            APPS[i] = TestApp.start();
            SERVICES[i] = service(APPS[i], "replica-" + i, "15s");
        }
        caller = SidecarProcess.builder("share-front").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).start();
        clients = Executors.newFixedThreadPool(16);
    }

    @AfterAll
    static void stopTopology() {
        clients.shutdownNow();
        Closer.closeAll(caller);
        Closer.closeAll(SERVICES);
        Closer.closeAll(APPS);
        Closer.closeAll(broker);
    }

    @Test
    void threeReplicasWorkOnOnePartitionAtOnce() throws Exception {
        assertThat(Metrics.value(SERVICES[0], "mep_service_consumption_info", "mode=\"share-group\"")).isEqualTo(1);
        List<CompletableFuture<Integer>> calls = callMany(3 * SLOTS, "3000");

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (SidecarProcess service : SERVICES) {
                if (Metrics.value(service, "mep_service_app_concurrency", "") < 1) {
                    return false;
                }
            }
            return true;
        });

        assertThat(statuses(calls)).containsOnly(200);
        assertThat(Ledger.overlapping(CALLS)).as("requests at two apps at once").isEmpty();
    }

    @Test
    void anAppThatGoesAwayGivesItsRequestsToTheOtherReplicas() throws Exception {
        int port = APPS[2].port();
        APPS[2].close();
        try {
            List<CompletableFuture<Integer>> calls = callMany(40, "50");

            assertThat(statuses(calls)).as("no 502, none lost").containsOnly(200);
            assertThat(Metrics.value(SERVICES[2], "mep_calls_total", "role=\"service\",outcome=\"handed_back\""))
                    .as("requests replica-2 gave back").isPositive();
            assertThat(Metrics.value(SERVICES[2], "mep_calls_total", "role=\"service\",outcome=\"undeliverable\""))
                    .isZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> !atWork().contains(replica("replica-2")));
        } finally {
            APPS[2] = TestApp.start(port);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> atWork().contains(replica("replica-2")));
        assertThat(statuses(callMany(12, "50"))).containsOnly(200);
        assertThat(Ledger.overlapping(CALLS)).as("requests at two apps at once").isEmpty();
    }

    @Test
    void aRequestLongerThanTheLockIsRenewedAndServedOnce() throws Exception {
        double renewals = renewals();

        Response response = given().baseUri(caller.url()).contentType("text/plain").body("8000")
                .post("/v1/invoke/work");

        response.then().statusCode(200);
        assertThat(Ledger.executions(response.header("Mep-Correlation-Id"))).isEqualTo(1);
        // renewed once a second (a 6 s lock keeps 5 s): about 7 in 8 s; every half lock would be 2
        assertThat(renewals() - renewals).as("lock renewals").isGreaterThanOrEqualTo(4);
    }

    @Test
    void poisonAndRequestsThatFailEveryDeliveryAreDeadLetteredWhileTheOthersFlow() throws Exception {
        String poison = UUID.randomUUID().toString();
        try (KafkaProducer<String, byte[]> producer = broker.producer()) {
            producer.send(new ProducerRecord<>("e2e.work", poison, "no headers".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        String stuck = given().baseUri(caller.url()).contentType("text/plain").body("2000")
                .post("/v1/invoke/stuck-event").then().statusCode(202).extract().header("Mep-Correlation-Id");

        assertThat(statuses(callMany(20, "100"))).as("the requests behind them").containsOnly(200);

        ConsumerRecord<String, byte[]> poisonLetter = await().atMost(Duration.ofSeconds(20)).until(() -> TopicReader
                .recordsWithKey(broker.bootstrapServers(), "e2e.work.dlq", poison), l -> !l.isEmpty()).get(0);
        assertThat(TopicReader.header(poisonLetter, "dead-letter-reason")).isEqualTo("undecodable");
        ConsumerRecord<String, byte[]> stuckLetter = await().atMost(Duration.ofSeconds(30)).until(() -> TopicReader
                .recordsWithHeader(broker.bootstrapServers(), "e2e.stuck-event.dlq", WireHeaders.CORRELATION_ID,
                        stuck), l -> !l.isEmpty()).get(0);
        assertThat(TopicReader.header(stuckLetter, "dead-letter-reason")).isEqualTo("delivery-failed");
        assertThat(Ledger.executions(stuck)).as("deliveries of the stuck event").isEqualTo(MAX_DELIVERIES);
    }

    @Test
    void aStoppingReplicaGivesBackWhatItCannotFinishAndTheOthersAnswerIt() throws Exception {
        TestApp app = TestApp.start();
        SidecarProcess stopping = service(app, "replica-stopping", "1s");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> atWork().contains(replica("replica-stopping")));
            List<String> locations = IntStream.range(0, 4 * SLOTS).mapToObj(i -> CompletableFuture.supplyAsync(
                    () -> given().baseUri(caller.url()).header("Prefer", "respond-async").contentType("text/plain")
                            .body("8000").post("/v1/invoke/work").then().statusCode(202).extract()
                            .header("Location"), clients))
                    .collect(Collectors.toList()).stream().map(CompletableFuture::join).collect(Collectors.toList());
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Metrics.value(stopping, "mep_service_app_concurrency", "") >= 1);

            stopping.terminate();

            assertThat(stopping.awaitExit(Duration.ofSeconds(20))).isPresent();
            for (String location : locations) {
                Response result = await().atMost(Duration.ofSeconds(30))
                        .until(() -> given().baseUri(caller.url()).get(location), r -> r.statusCode() != 202);
                assertThat(result.statusCode()).as(location).isEqualTo(200);
            }
            List<String> ids = locations.stream().map(l -> l.substring(l.lastIndexOf('/') + 1))
                    .collect(Collectors.toList());
            Set<String> givenBack = app.received().stream().map(r -> r.header("Mep-Correlation-Id"))
                    .collect(Collectors.toSet());
            assertThat(givenBack).as("requests at the stopping replica's app").isNotEmpty();
            assertThat(Ledger.repeated(ids)).as("requests executed again").isEqualTo(givenBack);
        } finally {
            Closer.closeAll(stopping, app);
        }
    }

    private static SidecarProcess service(TestApp app, String instance, String grace) {
        return SidecarProcess.builder(GROUP).bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("work,stuck-event").consumption(ConsumptionMode.SHARE_GROUP)
                .env("MEP_INSTANCE_ID", instance).env("MEP_SERVICE_MAX_CONCURRENCY", Integer.toString(SLOTS))
                .env("MEP_SERVICE_MAX_DELIVERIES", Integer.toString(MAX_DELIVERIES))
                .env("MEP_SHUTDOWN_GRACE", grace).start();
    }

    /** Synchronous calls of {@code work}, all at once. */
    private static List<CompletableFuture<Integer>> callMany(int count, String workMillis) {
        return IntStream.range(0, count).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
            Response response = given().baseUri(caller.url()).contentType("text/plain").body(workMillis)
                    .post("/v1/invoke/work");
            if (response.header("Mep-Correlation-Id") != null) {
                CALLS.add(response.header("Mep-Correlation-Id"));
            }
            return response.statusCode();
        }, clients)).collect(Collectors.toList());
    }

    private static List<Integer> statuses(List<CompletableFuture<Integer>> calls) {
        return calls.stream().map(CompletableFuture::join).collect(Collectors.toList());
    }

    private static Set<String> atWork() throws Exception {
        return ConsumptionMode.SHARE_GROUP.replicasAtWork(broker.bootstrapServers(), GROUP);
    }

    private static String replica(String instance) {
        return ConsumptionMode.replica(GROUP, instance);
    }

    private static double renewals() throws Exception {
        double sum = 0;
        for (SidecarProcess service : SERVICES) {
            sum += Metrics.value(service, "mep_service_lock_renewals_total", "");
        }
        return sum;
    }
}
