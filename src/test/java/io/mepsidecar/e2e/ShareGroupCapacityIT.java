package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each request a share-group replica serves at once is a member of the share group, and the broker caps a group's
 * members ({@code group.share.max.size}, here 6): replicas that together ask for more still start, become ready and
 * serve with the members they got; the others wait for room and join when another replica leaves; a replica asking
 * for more than the whole group holds starts only that many.
 */
class ShareGroupCapacityIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final String GROUP = "capacity-service";
    private static final int GROUP_MAX_SIZE = 6;
    private static final String MEMBERS = "mep_service_share_consumers";

    @Test
    void replicasShareAFullGroupAndTakeTheRoomAReplicaLeaves() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                Map.of("group.share.max.size", Integer.toString(GROUP_MAX_SIZE)));
        TestApp appA = TestApp.start();
        TestApp appB = TestApp.start();
        TestApp appC = TestApp.start();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        SidecarProcess a = null;
        SidecarProcess b = null;
        SidecarProcess c = null;
        SidecarProcess caller = null;
        try {
            broker.createTopics(1, "e2e.work", "capacity-front.replies");
            a = service(broker, appA, "replica-a", 4);
            SidecarProcess first = a;
            await().atMost(Duration.ofSeconds(30)).until(() -> members(first) == 4);
            b = service(broker, appB, "replica-b", 4); // ready although the group has room for 2 of its 4
            SidecarProcess second = b;
            caller = SidecarProcess.builder("capacity-front").bootstrapServers(broker.bootstrapServers())
                    .contract(CONTRACT).start();
            await().atMost(Duration.ofSeconds(30)).until(() -> members(second) == 2);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> members(first) + members(second) == GROUP_MAX_SIZE);

            String callerUrl = caller.url();
            List<CompletableFuture<Integer>> calls = IntStream.range(0, 12).mapToObj(i -> CompletableFuture
                    .supplyAsync(() -> given().baseUri(callerUrl).contentType("text/plain").body("300")
                            .post("/v1/invoke/work").statusCode(), clients)).collect(Collectors.toList());
            assertThat(calls.stream().map(CompletableFuture::join)).as("calls while the group is full")
                    .containsOnly(200);
            assertThat(Files.readString(b.log())).contains("share group " + GROUP + " is full");

            a.close();
            await().atMost(Duration.ofSeconds(60)).until(() -> members(second) == 4);

            b.close();
            c = service(broker, appC, "replica-c", GROUP_MAX_SIZE + 2);
            SidecarProcess wide = c;
            await().atMost(Duration.ofSeconds(30)).until(() -> members(wide) == GROUP_MAX_SIZE);
            assertThat(Files.readString(c.log())).contains("a share group holds at most " + GROUP_MAX_SIZE
                    + " members");
            assertThat(given().baseUri(callerUrl).contentType("text/plain").body("10").post("/v1/invoke/work")
                    .statusCode()).isEqualTo(200);
        } finally {
            clients.shutdownNow();
            Closer.closeAll(caller, c, b, a, appA, appB, appC, broker);
        }
    }

    private static SidecarProcess service(EmbeddedKafkaBroker broker, TestApp app, String instance, int slots) {
        return SidecarProcess.builder(GROUP).bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("work").consumption(ConsumptionMode.SHARE_GROUP)
                .env("MEP_INSTANCE_ID", instance).env("MEP_SERVICE_MAX_CONCURRENCY", Integer.toString(slots))
                .start();
    }

    private static double members(SidecarProcess service) {
        return Metrics.value(service, MEMBERS, "");
    }
}
