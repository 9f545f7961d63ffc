package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.Ledger;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM of a caller sidecar, the way Kubernetes stops a pod: it answers every call still waiting, with its reply
 * or a 503 problem, never with a reset connection, and refuses new calls. (The service side: {@code faults.GracefulStopIT}.)
 */
class CallerGracefulStopIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");

    private EmbeddedKafkaBroker broker;
    private TestApp app;

    @BeforeEach
    void startBrokerAndApp() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.work", "stop-front-2.replies");
        app = TestApp.start();
    }

    @AfterEach
    void stopBrokerAndApp() {
        Closer.closeAll(app, broker);
    }

    @Test
    void aStoppingCallerSidecarAnswersEveryPendingCallAndRefusesNewOnes() throws Exception {
        SidecarProcess service = SidecarProcess.builder("stop-service-2").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("work").env("MEP_SERVICE_MAX_CONCURRENCY", "32")
                .start();
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

    /** A synchronous call whose future fails if the connection is reset instead of answered. */
    private static CompletableFuture<HttpResponse<String>> call(HttpClient http, SidecarProcess caller, String body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(caller.url() + "/v1/invoke/work"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
