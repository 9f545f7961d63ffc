package io.mepsidecar.observability;

import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a Prometheus scrape of {@code /q/metrics} shows an operator. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class MetricsTest {

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @AfterEach
    void releaseHeldRequests() {
        KafkaTestResource.app().releaseSlow();
    }

    @Test
    void showsCallsInFlightPerOperationAndRoleWhileTheAppHoldsThemThenZero() {
        IntStream.range(0, 3).forEach(i -> given().header("Prefer", "respond-async").contentType("text/plain")
                .body("in-flight-" + i).post("/v1/invoke/hold").then().statusCode(202));

        await().untilAsserted(() -> {
            String scrape = scrape();
            assertThat(sample(scrape, "mep_calls_in_flight", "operation=\"hold\",role=\"caller\"")).isEqualTo(3);
            assertThat(sample(scrape, "mep_calls_in_flight", "operation=\"hold\",role=\"service\"")).isEqualTo(3);
            assertThat(sample(scrape, "mep_service_app_concurrency", "")).isEqualTo(3);
        });
        KafkaTestResource.app().releaseSlow();

        await().untilAsserted(() -> {
            String scrape = scrape();
            assertThat(sample(scrape, "mep_calls_in_flight", "operation=\"hold\",role=\"caller\"")).isZero();
            assertThat(sample(scrape, "mep_calls_in_flight", "operation=\"hold\",role=\"service\"")).isZero();
            assertThat(sample(scrape, "mep_service_app_concurrency", "")).isZero();
        });
    }

    @Test
    void countsOutcomesAndTimesCallsInMillisecondBuckets() {
        double okBefore = sample(scrape(), "mep_calls_total", "operation=\"echo\",outcome=\"ok\",role=\"caller\"");
        double faultsBefore = sample(scrape(), "mep_calls_total",
                "operation=\"status\",outcome=\"fault_5xx\",role=\"service\"");
        given().contentType("text/plain").body("measure " + UUID.randomUUID()).post("/v1/invoke/echo")
                .then().statusCode(200);
        given().contentType("text/plain").body("500 broken").post("/v1/invoke/status").then().statusCode(500);

        await().untilAsserted(() -> {
            String scrape = scrape();
            assertThat(sample(scrape, "mep_calls_total", "operation=\"echo\",outcome=\"ok\",role=\"caller\""))
                    .isEqualTo(okBefore + 1);
            assertThat(sample(scrape, "mep_calls_total",
                    "operation=\"status\",outcome=\"fault_5xx\",role=\"service\"")).isEqualTo(faultsBefore + 1);
            assertThat(sample(scrape, "mep_call_duration_seconds_count", "operation=\"echo\",role=\"caller\""))
                    .isPositive();
            assertThat(scrape).containsPattern("mep_call_duration_seconds_bucket\\{[^}]*le=\"0.005\"")
                    .containsPattern("mep_call_duration_seconds_bucket\\{[^}]*le=\"30.0\"");
            assertThat(sample(scrape, "mep_call_app_duration_seconds_count", "operation=\"echo\"")).isPositive();
            assertThat(sample(scrape, "mep_call_broker_duration_seconds_count", "operation=\"echo\"")).isPositive();
        });
    }

    @Test
    void showsLimitsLagReadinessAndKafkaClientMetrics() {
        String scrape = scrape();

        assertThat(sample(scrape, "mep_caller_in_flight_limit", "")).isEqualTo(1000);
        assertThat(scrape).containsPattern("(?m)^mep_caller_results_kept ");
        assertThat(sample(scrape, "mep_service_app_concurrency_limit", "")).isEqualTo(4);
        assertThat(scrape).containsPattern("mep_service_consumer_lag\\{operation=\"echo\",?\\}");
        await().untilAsserted(() -> assertThat(sample(scrape(), "mep_ready", "")).isEqualTo(1));
        assertThat(scrape).contains("kafka_producer_record_send_total").contains("kafka_consumer_fetch_manager");
        assertThat(scrape).doesNotContain("correlation");
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsUseIsExposed() throws Exception {
        given().contentType("text/plain").body("warm up").post("/v1/invoke/echo").then().statusCode(200);
        String used = Files.readString(Path.of("monitoring/grafana/mep-sidecar-dashboard.json"))
                + Files.readString(Path.of("monitoring/prometheus/mep-sidecar-alerts.yaml"));
        Set<String> names = new TreeSet<>();
        Matcher metric = Pattern.compile("\\b(?:mep|kafka)_[a-z0-9_]+").matcher(used);
        while (metric.find()) {
            names.add(metric.group());
        }
        assertThat(names).contains("mep_calls_in_flight", "mep_ready");

        await().untilAsserted(() -> {
            String scrape = scrape();
            assertThat(names).allSatisfy(name -> assertThat(scrape).containsPattern("(?m)^" + name + "[{ ]"));
        });
    }

    private String scrape() {
        return Metrics.scrape(metrics);
    }

    private static double sample(String scrape, String name, String labels) {
        return Metrics.value(scrape, name, labels);
    }
}
