package io.mepsidecar.e2e;

import io.mepsidecar.contract.CorrelationIds;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.FuzzCases;
import io.mepsidecar.testing.FuzzCases.Request;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.RawHttp;
import io.mepsidecar.testing.RawHttp.Exchange;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * A bounded fuzz run against two sidecar processes: the seed corpus ({@code fuzz/http-seeds.txt}) and random HTTP
 * requests at both sidecars' APIs, then random records on a request topic and a reply topic. Nothing may hang,
 * fail with a 500, answer an error that is not a problem, echo an unsafe id, leave a gauge up, stop a consumer, kill a
 * thread, or leave more than a little heap behind (measured after a full GC at the start and the end). Both sidecars
 * have an API token, which most requests carry.
 * {@code -Dfuzz.seed=N} repeats a run; {@code -Dfuzz.requests=N} and {@code -Dfuzz.records=N} size it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 1_500);
    private static final int RECORDS = Integer.getInteger("fuzz.records", 300);
    private static final String REPLY_TOPIC = "fuzz-front.replies";
    private static final String API_TOKEN = "fuzz-" + UUID.randomUUID();
    /** How much more heap, after a full GC, the sidecars may hold at the end than at the start. */
    private static final long HEAP_GROWTH_ALLOWED = 24L * 1024 * 1024;

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;
    private static Map<SidecarProcess, Long> heapAtStart;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.echo", "e2e.status", REPLY_TOPIC);
        app = TestApp.start();
        // share groups, the mode a new group gets on this broker (auto); consumer groups were fuzzed before them
        service = SidecarProcess.builder("fuzz-service").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("echo").consumption(ConsumptionMode.SHARE_GROUP)
                .env("MEP_API_TOKEN", API_TOKEN).start();
        caller = SidecarProcess.builder("fuzz-front").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).env("MEP_INSTANCE_ID", "fuzz-1")
                .env("MEP_API_TOKEN", API_TOKEN).start();
        heapAtStart = Map.of(caller, heapAfterGc(caller), service, heapAfterGc(service));
        app.sidecarUrl(service.url());
        System.out.println("FuzzIT seed " + SEED + " (repeat with -Dfuzz.seed=" + SEED + ")");
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(caller, service, app, broker);
    }

    @Test
    @Order(1)
    void randomHttpRequestsGetAFinalAnswerAndLeaveNothingBehind() throws Exception {
        FuzzCases cases = new FuzzCases(SEED, API_TOKEN);
        List<Request> requests = new ArrayList<>(FuzzCases.seeds());
        for (int i = 0; i < REQUESTS; i++) {
            requests.add(cases.nextRequest());
        }
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                SidecarProcess target = i % 2 == 0 ? caller : service;
                Request request = requests.get(i);
                sent.add(clients.submit(() -> check(request, send(target, request), violations)));
            }
            for (Future<?> done : sent) {
                done.get();
            }
        } finally {
            clients.shutdownNow();
        }

        assertThat(violations).as("seed " + SEED).isEmpty();
        assertStillServing();
        System.out.println("FuzzIT sent " + requests.size() + " HTTP requests");
    }

    @Test
    @Order(2)
    void randomRecordsNeverStopTheConsumersNorLeaveAGaugeUp() throws Exception {
        FuzzCases cases = new FuzzCases(SEED + 1);
        try (KafkaProducer<String, byte[]> producer = broker.producer()) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(requestRecord(cases));
                producer.send(replyRecord(cases));
            }
            producer.flush();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(ConsumptionMode.SHARE_GROUP.unfinished(broker.bootstrapServers(), "fuzz-service",
                        "e2e.echo")).as("requests not yet finished").isZero());
        assertStillServing();
        System.out.println("FuzzIT sent " + 2 * RECORDS + " records");
    }

    /** Last: what the runs before left behind is collectable, and no thread died. */
    @Test
    @Order(3)
    void theHeapIsBackNearItsStartAndNoThreadDied() {
        for (SidecarProcess sidecar : List.of(caller, service)) {
            long start = heapAtStart.get(sidecar);
            long end = heapAfterGc(sidecar);
            System.out.printf("FuzzIT heap after GC of pid %d: %d -> %d bytes%n", sidecar.pid(), start, end);
            assertThat(end).as("heap after GC, pid " + sidecar.pid() + " (at start: " + start + ")")
                    .isLessThan(start + HEAP_GROWTH_ALLOWED);
            assertThat(sidecar.output()).as("a thread died in pid " + sidecar.pid())
                    .doesNotContain("Exception in thread");
        }
    }

    /** Heap in use right after a full collection ({@code jcmd GC.run}), from the sidecar's own metrics. */
    private static long heapAfterGc(SidecarProcess sidecar) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(sidecar.pid()), "GC.run").redirectErrorStream(true).start();
            String said = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(jcmd.waitFor()).as("jcmd GC.run: " + said).isZero();
            String scrape = Metrics.scrape(new URL(sidecar.managementUrl() + "/q/metrics"));
            return Metrics.sum(scrape, "jvm_memory_used_bytes", "area=\"heap\"");
        } catch (Exception e) {
            throw new IllegalStateException("cannot measure the heap of pid " + sidecar.pid(), e);
        }
    }

    private static Exchange send(SidecarProcess sidecar, Request request) {
        return RawHttp.send(sidecar.port(), request.method(), request.target(), request.headerLines(),
                request.body(), Duration.ofSeconds(15));
    }

    private static void check(Request request, Exchange exchange, ConcurrentLinkedQueue<String> violations) {
        String what = request + " -> " + exchange.status();
        if (!exchange.answered()) {
            violations.add("no answer within 15 s: " + request);
            return;
        }
        if (!request.isWellFormed()) {
            if (exchange.status() >= 500) {
                violations.add("a malformed request failed the server: " + what);
            }
            return; // not an HTTP message: the HTTP codec refuses it before the API sees it
        }
        if (exchange.status() < 200 || exchange.status() > 599 || exchange.status() == 500) {
            violations.add("unexpected status: " + what + " " + exchange.body());
        }
        if (exchange.status() >= 400 && !"application/problem+json".equals(exchange.header("Content-Type"))) {
            violations.add("an error that is not a problem: " + what + " " + exchange.headers());
        }
        String id = exchange.header("Mep-Correlation-Id");
        if (id != null && !CorrelationIds.isValid(id)) {
            violations.add("an unsafe correlation id echoed: " + what);
        }
    }

    /** Both sidecars ready, a normal call answered, and no call counted in flight any more. */
    private static void assertStillServing() throws Exception {
        given().baseUri(caller.url()).header("Authorization", "Bearer " + API_TOKEN).contentType("text/plain").body("still serving").post("/v1/invoke/echo")
                .then().statusCode(200).body(equalTo("still serving"));
        for (SidecarProcess sidecar : List.of(caller, service)) {
            given().baseUri(sidecar.managementUrl()).get("/q/health/ready").then().statusCode(200);
            URL metrics = new URL(sidecar.managementUrl() + "/q/metrics");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String scrape = Metrics.scrape(metrics);
                assertThat(Metrics.value(scrape, "mep_calls_in_flight", "role=\"caller\",operation=\"echo\""))
                        .isZero();
                assertThat(Metrics.value(scrape, "mep_calls_in_flight", "role=\"service\",operation=\"echo\""))
                        .isZero();
                assertThat(Metrics.value(scrape, "mep_service_app_concurrency", "")).isZero();
            });
        }
    }

    private static ProducerRecord<String, byte[]> requestRecord(FuzzCases cases) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("e2e.echo", null, cases.bytes(256));
        put(record, WireHeaders.CORRELATION_ID, cases.headerValue(UUID.randomUUID().toString()));
        put(record, WireHeaders.REPLY_TO, cases.headerValue(REPLY_TOPIC, "e2e.echo", "no-such.replies"));
        put(record, WireHeaders.REPLY_INSTANCE, cases.headerValue("fuzz-1", "other"));
        put(record, WireHeaders.DEADLINE, cases.headerValue(Instant.now().plusSeconds(20).toString(),
                Instant.now().minusSeconds(5).toString(), "+300000000-01-01T00:00:00Z", "tomorrow"));
        put(record, WireHeaders.CONTENT_TYPE, cases.headerValue("text/plain", "garbage", "text/plain\u0001"));
        put(record, WireHeaders.SOURCE, cases.headerValue("/fuzz-front/fuzz-1", "/a/\r\nX: 1"));
        put(record, WireHeaders.TYPE, cases.headerValue("echo.request", "echo.reply", "x"));
        cases.oddHeader(record.headers());
        return record;
    }

    private static ProducerRecord<String, byte[]> replyRecord(FuzzCases cases) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(REPLY_TOPIC, null, cases.bytes(256));
        put(record, WireHeaders.CORRELATION_ID, cases.headerValue(UUID.randomUUID().toString()));
        put(record, WireHeaders.REPLY_INSTANCE, cases.headerValue("fuzz-1"));
        put(record, WireHeaders.STATUS, cases.headerValue("200", "101", "199", "600", "-1", "abc"));
        put(record, WireHeaders.TYPE, cases.headerValue("echo.reply", "nope.reply", "echo"));
        put(record, WireHeaders.CONTENT_TYPE, cases.headerValue("text/plain", "text/plain\u0001", "t\u00e9xt/x"));
        put(record, WireHeaders.APP_DURATION, cases.headerValue("PT0.001S", "-PT1S", "forever"));
        put(record, WireHeaders.HOPS, cases.headerValue("consumed=1,app-call=2", "=,=", "consumed=-1"));
        cases.oddHeader(record.headers());
        return record;
    }

    private static void put(ProducerRecord<String, byte[]> record, String name, String value) {
        if (!value.isEmpty()) {
            record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
