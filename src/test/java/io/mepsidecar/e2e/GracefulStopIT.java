package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Ledger;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.response.Response;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM, the way Kubernetes stops a pod: a stopping service sidecar lets the requests at its app finish, publishes
 * their replies and commits them before it exits, so nothing is delivered again after its restart; a stopping caller
 * sidecar answers every call still waiting, with its reply or a 503 problem, never with a reset connection.
 */
class GracefulStopIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final int IN_FLIGHT = 20;

    private EmbeddedKafkaBroker broker;
    private TestApp app;

    /** A broker of its own for each test: the other test's requests are not on its topic. */
    @BeforeEach
    void startBrokerAndApp() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.work", "stop-front.replies", "stop-front-2.replies");
        app = TestApp.start();
    }

    @AfterEach
    void stopBrokerAndApp() {
        Closer.closeAll(app, broker);
    }

    @Test
    void aStoppingServiceSidecarFinishesTheRequestsAtItsAppAndNoneIsDeliveredAgain() throws Exception {
        SidecarProcess service = service("stop-service");
        SidecarProcess caller = SidecarProcess.builder("stop-front").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).start();
        SidecarProcess restarted = null;
        try {
            List<String> locations = IntStream.range(0, IN_FLIGHT).mapToObj(i -> given().baseUri(caller.url())
                    .header("Prefer", "respond-async").contentType("text/plain").body("3000")
                    .post("/v1/invoke/work").then().statusCode(202).extract().header("Location"))
                    .collect(Collectors.toList());
            List<String> ids = locations.stream().map(l -> l.substring(l.lastIndexOf('/') + 1))
                    .collect(Collectors.toList());
            await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> Ledger.executions(id) == 1));

            service.terminate();

            await().atMost(Duration.ofSeconds(2)).until(() -> readinessStatus(service) == 503);
            for (String location : locations) {
                Response result = await().atMost(Duration.ofSeconds(20))
                        .until(() -> given().baseUri(caller.url()).get(location), r -> r.statusCode() != 202);
                result.then().statusCode(200);
            }
            assertThat(service.awaitExit(Duration.ofSeconds(20))).isPresent();
            assertThat(uncommitted("stop-service", "e2e.work")).isZero();

            restarted = service("stop-service");
            given().baseUri(caller.url()).contentType("text/plain").body("10").post("/v1/invoke/work")
                    .then().statusCode(200);
            assertThat(ids).allSatisfy(id -> assertThat(Ledger.executions(id)).as(id).isEqualTo(1));
        } finally {
            Closer.closeAll(restarted, caller, service);
        }
    }

    @Test
    void aStoppingCallerSidecarAnswersEveryPendingCallAndRefusesNewOnes() throws Exception {
        SidecarProcess service = service("stop-service-2");
        SidecarProcess caller = SidecarProcess.builder("stop-front-2").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).env("MEP_SHUTDOWN_GRACE", "4s").start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            List<CompletableFuture<HttpResponse<String>>> quick = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                quick.add(call(http, caller, "2000"));
                slow.add(call(http, caller, "15000"));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> Ledger.running() >= 6);

            caller.terminate();

            await().atMost(Duration.ofSeconds(2)).until(() -> call(http, caller, "10").get().statusCode() == 503);
            for (CompletableFuture<HttpResponse<String>> call : quick) {
                assertThat(call.get().statusCode()).isEqualTo(200);
            }
            for (CompletableFuture<HttpResponse<String>> call : slow) {
                HttpResponse<String> response = call.get();
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(response.body()).contains("urn:mep-sidecar:problem:stopping");
            }
            assertThat(caller.awaitExit(Duration.ofSeconds(20))).isPresent();
        } finally {
            Closer.closeAll(caller, service);
        }
    }

    private SidecarProcess service(String name) {
        return SidecarProcess.builder(name).bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("work").env("MEP_SERVICE_MAX_CONCURRENCY", "32")
                .env("MEP_SHUTDOWN_GRACE", "15s").start();
    }

    /** A synchronous call whose future fails if the connection is reset instead of answered. */
    private static CompletableFuture<HttpResponse<String>> call(HttpClient http, SidecarProcess caller, String body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(caller.url() + "/v1/invoke/work"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
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

    /** Records of the topic that the group has not committed past. */
    private long uncommitted(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            long behind = 0;
            for (int partition = 0; partition < 2; partition++) {
                TopicPartition tp = new TopicPartition(topic, partition);
                long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
                OffsetAndMetadata offset = committed.get(tp);
                behind += end - (offset == null ? 0 : offset.offset());
            }
            return behind;
        }
    }
}
