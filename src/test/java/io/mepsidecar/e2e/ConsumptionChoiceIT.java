package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * How a replica chooses between share groups and consumer groups ({@code mep.service.consumption}) on a cluster
 * that has both: {@code auto} makes a new group a share group and keeps the kind of an existing one, so a rolling
 * update never splits an app's replicas; a replica set up for the other kind is not ready, and says why.
 */
class ConsumptionChoiceIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(1, "e2e.work", "choice-front.replies");
        app = TestApp.start();
    }

    @AfterAll
    static void stopBroker() {
        Closer.closeAll(app, broker);
    }

    @Test
    void autoMakesANewGroupAShareGroupAndKeepsTheKindOfAnExistingOne() {
        SidecarProcess fresh = null;
        SidecarProcess existing = null;
        SidecarProcess following = null;
        SidecarProcess caller = null;
        try {
            fresh = service("choice-new", null).start();
            assertThat(mode(fresh, ConsumptionMode.SHARE_GROUP)).as("a new group on a cluster with share groups")
                    .isEqualTo(1);
            fresh.close();

            existing = service("choice-old", ConsumptionMode.CONSUMER_GROUP).start();
            following = service("choice-old", null).start();
            assertThat(mode(following, ConsumptionMode.CONSUMER_GROUP)).as("auto, next to a consumer group")
                    .isEqualTo(1);
            caller = SidecarProcess.builder("choice-front").bootstrapServers(broker.bootstrapServers())
                    .contract(CONTRACT).start();
            for (int i = 0; i < 5; i++) {
                given().baseUri(caller.url()).contentType("text/plain").body("10").post("/v1/invoke/work").then()
                        .statusCode(200);
            }
        } finally {
            Closer.closeAll(caller, following, existing, fresh);
        }
    }

    @Test
    void aShareGroupReplicaNextToAConsumerGroupIsNotReadyAndSaysWhy() {
        notReadyNextTo(ConsumptionMode.CONSUMER_GROUP, ConsumptionMode.SHARE_GROUP);
    }

    @Test
    void aConsumerGroupReplicaNextToAShareGroupIsNotReadyAndSaysWhy() {
        notReadyNextTo(ConsumptionMode.SHARE_GROUP, ConsumptionMode.CONSUMER_GROUP);
    }

    private static void notReadyNextTo(ConsumptionMode first, ConsumptionMode second) {
        String group = "choice-" + first.setting();
        SidecarProcess running = null;
        SidecarProcess other = null;
        try {
            running = service(group, first).start();
            other = service(group, second).launchUnready();
            String managementUrl = other.managementUrl();

            Response readiness = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> given().get(managementUrl + "/q/health/ready"),
                            r -> r.asString().contains("exists as a " + first.setting()));

            readiness.then().statusCode(503).body(containsString("delete the group"));
            assertThat(Metrics.value(running, "mep_service_consumption_info", "mode=\"" + first.setting() + "\""))
                    .as("the replica that was there first").isEqualTo(1);
        } finally {
            Closer.closeAll(other, running);
        }
    }

    private static SidecarProcess.Builder service(String group, ConsumptionMode mode) {
        SidecarProcess.Builder builder = SidecarProcess.builder(group).bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("work");
        return mode == null ? builder.env("MEP_SERVICE_CONSUMPTION", "auto") : builder.consumption(mode);
    }

    private static double mode(SidecarProcess service, ConsumptionMode mode) {
        return Metrics.value(service, "mep_service_consumption_info", "mode=\"" + mode.setting() + "\"");
    }
}
