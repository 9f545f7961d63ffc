package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.TestApp;
import io.quarkus.test.common.http.TestHTTPResource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The service role protects its app: bounded concurrency, and nothing delivered after the caller gave up. */
abstract class AbstractServiceLimitsTest extends ServiceRoleTest {

    /** mep.service.max-concurrency in the test configuration. */
    private static final int MAX_CONCURRENCY = 4;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @AfterEach
    void holdAgain() {
        KafkaTestResource.app().holdSlow(true);
    }

    @Test
    void neverHandsTheAppMoreThanMaxConcurrencyRequestsAtOnce() {
        TestApp app = KafkaTestResource.app();
        app.resetSlowMax();
        List<String> locations = IntStream.range(0, 10)
                .mapToObj(i -> given().header("Prefer", "respond-async").contentType("text/plain").body("job-" + i)
                        .post("/v1/invoke/hold").then().statusCode(202).extract().header("Location"))
                .collect(Collectors.toList());

        if (shareGroup()) {
            // A share group shares a partition between members only when it has more members than partitions:
            // here 4 share consumers and 22 partitions, so test.hold's 2 partitions have a consumer each, and at
            // most 2 of its requests are at the app at once. The bound holds; the slots are not all filled.
            await().until(() -> app.slowNow() >= 1);
            await().during(Duration.ofSeconds(1)).until(() -> app.slowNow() <= MAX_CONCURRENCY);
        } else {
            await().until(() -> app.slowNow() == MAX_CONCURRENCY);
            await().during(Duration.ofSeconds(1)).until(() -> app.slowNow() == MAX_CONCURRENCY);
        }
        app.holdSlow(false);

        for (String location : locations) {
            await().until(() -> given().get(location).statusCode() == 200);
        }
        assertThat(app.slowMax()).isLessThanOrEqualTo(MAX_CONCURRENCY);
        if (!shareGroup()) {
            assertThat(app.slowMax()).isEqualTo(MAX_CONCURRENCY);
        }
    }

    @Test
    void doesNotDeliverARequestWhoseDeadlineHasPassed() throws Exception {
        double before = expired("echo");
        String correlationId = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> request = new ProducerRecord<>("test.echo", correlationId,
                "stale".getBytes(StandardCharsets.UTF_8));
        header(request, WireHeaders.CORRELATION_ID, correlationId);
        header(request, WireHeaders.REPLY_TO, "test-app.replies");
        header(request, WireHeaders.DEADLINE, Instant.now().minusSeconds(1).toString());
        try (KafkaProducer<String, byte[]> producer = KafkaTestResource.producer()) {
            producer.send(request).get();
        }

        await().untilAsserted(() -> assertThat(expired("echo")).isEqualTo(before + 1));
        assertThat(KafkaTestResource.app().receivedWith("Mep-Correlation-Id", correlationId)).isEmpty();
    }

    private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private double expired(String operation) {
        return Metrics.value(Metrics.scrape(metrics), "mep_calls_total",
                "operation=\"" + operation + "\",outcome=\"expired\",role=\"service\"");
    }
}
