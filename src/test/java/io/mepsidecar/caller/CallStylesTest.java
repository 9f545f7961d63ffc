package io.mepsidecar.caller;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every caller style against every service style of a request-reply operation: each returns the same reply and
 * puts the same records on the wire, so neither side can tell what the other chose.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class CallStylesTest {

    /** Headers whose values differ per call (ids, times, deadlines); compared by presence only. */
    private static final Set<String> PER_CALL = Set.of(WireHeaders.ID, WireHeaders.TIME, WireHeaders.CORRELATION_ID,
            WireHeaders.DEADLINE, WireHeaders.APP_DURATION, WireHeaders.REPLY_PARTITION);

    enum CallerStyle { SYNC, ASYNC_POLL, ASYNC_WAIT, ASYNC_CALLBACK }

    @TestHTTPResource("/")
    URL sidecar;

    @BeforeEach
    void tellTheAppItsSidecar() {
        KafkaTestResource.app().sidecarUrl(sidecar.toString());
    }

    static Stream<Arguments> styles() {
        return Stream.of(CallerStyle.values())
                .flatMap(caller -> Stream.of("echo", "echo-later").map(service -> Arguments.of(caller, service)));
    }

    @ParameterizedTest(name = "{0} caller, {1} service")
    @MethodSource("styles")
    void everyStyleGetsTheSameReplyAndPutsTheSameRecordsOnTheWire(CallerStyle style, String operation) {
        String body = "{\"style\":\"" + style + "\",\"id\":\"" + UUID.randomUUID() + "\"}";

        Result result = call(style, operation, body);

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.contentType()).startsWith("application/json");
        assertThat(result.body()).isEqualTo(body);
        String bootstrap = KafkaTestResource.broker().bootstrapServers();
        List<ConsumerRecord<String, byte[]>> requests = TopicReader.recordsWithHeader(bootstrap, "test." + operation,
                WireHeaders.CORRELATION_ID, result.correlationId());
        List<ConsumerRecord<String, byte[]>> replies = await().until(() -> TopicReader.recordsWithHeader(bootstrap,
                "test-app.replies", WireHeaders.CORRELATION_ID, result.correlationId()), r -> !r.isEmpty());
        assertThat(requests).hasSize(1);
        assertThat(replies).hasSize(1);
        assertThat(wire(requests.get(0))).isEqualTo("{ce_correlationid=*, ce_deadline=*, ce_id=*,"
                + " ce_replyinstance=test-instance, ce_replypartition=*, ce_replyto=test-app.replies,"
                + " ce_source=/test-app/test-instance,"
                + " ce_specversion=1.0, ce_time=*, ce_type=" + operation + ", content-type=application/json} " + body);
        assertThat(wire(replies.get(0))).isEqualTo("{ce_appduration=*, ce_correlationid=*, ce_id=*,"
                + " ce_replyinstance=test-instance,"
                + " ce_source=/test-app/test-instance, ce_specversion=1.0, ce_status=200, ce_time=*,"
                + " ce_type=" + operation + ".reply, content-type=application/json} " + body);
    }

    private record Result(int status, String contentType, String body, String correlationId) {
    }

    private Result call(CallerStyle style, String operation, String body) {
        switch (style) {
            case SYNC:
                return result(given().contentType("application/json").body(body)
                        .post("/v1/invoke/" + operation));
            case ASYNC_POLL:
                return poll(accepted(given().header("Prefer", "respond-async")
                        .contentType("application/json").body(body).post("/v1/invoke/" + operation)));
            case ASYNC_WAIT:
                Result direct = result(given().header("Prefer", "respond-async, wait=10")
                        .contentType("application/json").body(body).post("/v1/invoke/" + operation));
                assertNoCallbackFor(direct.correlationId());
                return direct;
            default:
                return callback(operation, body);
        }
    }

    private static Response accepted(Response response) {
        response.then().statusCode(202).header("Preference-Applied", "respond-async");
        assertThat(response.header("Location")).isEqualTo("/v1/replies/" + response.header("Mep-Correlation-Id"));
        return response;
    }

    private static Result poll(Response accepted) {
        String location = accepted.header("Location");
        Response done = await().until(() -> given().get(location), r -> r.statusCode() != 202);
        return result(done);
    }

    private static Result callback(String operation, String body) {
        String path = "/callbacks/" + UUID.randomUUID();
        Response accepted = accepted(given().header("Prefer", "respond-async").header("Mep-Callback", path)
                .contentType("application/json").body(body).post("/v1/invoke/" + operation));
        TestApp.Received callback = await().until(() -> KafkaTestResource.app().received().stream()
                .filter(r -> r.path().equals(path)).findFirst().orElse(null), r -> r != null);
        assertThat(callback.header("Mep-Correlation-Id")).isEqualTo(accepted.header("Mep-Correlation-Id"));
        assertThat(callback.header("Mep-Operation")).isEqualTo(operation);
        return new Result(Integer.parseInt(callback.header("Mep-Status")), callback.header("Content-Type"),
                new String(callback.body(), StandardCharsets.UTF_8), callback.header("Mep-Correlation-Id"));
    }

    private static void assertNoCallbackFor(String correlationId) {
        await().during(Duration.ofMillis(500)).until(() -> KafkaTestResource.app().received().stream()
                .noneMatch(r -> r.path().startsWith("/callbacks/")
                        && correlationId.equals(r.header("Mep-Correlation-Id"))));
    }

    private static Result result(Response response) {
        return new Result(response.statusCode(), response.contentType(), response.asString(),
                response.header("Mep-Correlation-Id"));
    }

    /** A record as a stable string: its headers (per-call values masked) and its value. */
    private static String wire(ConsumerRecord<String, byte[]> record) {
        TreeMap<String, String> headers = new TreeMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), PER_CALL.contains(header.key()) ? "*"
                    : new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers + " " + new String(record.value(), StandardCharsets.UTF_8);
    }

}
