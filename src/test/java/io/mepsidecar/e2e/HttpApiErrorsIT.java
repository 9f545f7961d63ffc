package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.RawHttp;
import io.mepsidecar.testing.RawHttp.Exchange;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every error of the sidecar's API is an RFC 9457 problem, answered at once, also for requests that never reach a
 * resource: malformed ids, URIs, queries and content types, unknown paths, wrong methods, oversized requests. Sent
 * byte for byte to sidecar processes started from the packaged artifact.
 */
class HttpApiErrorsIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    /** The Kafka producer's default max.request.size, which the HTTP body limit follows. */
    private static final int PRODUCER_MAX = 1_048_576;

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.echo", "errors-front.replies");
        app = TestApp.start();
        service = SidecarProcess.builder("errors-service").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).appUrl(app.url()).serves("echo").start();
        caller = SidecarProcess.builder("errors-front").bootstrapServers(broker.bootstrapServers())
                .contract(CONTRACT).start();
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(caller, service, app, broker);
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @CsvSource({
        "PUT, /v1/replies/%00, 404, unknown-reply",
        "GET, /v1/replies/a%0d%0aX:1, 404, unknown-reply",
        "DELETE, /v1/replies/%07, 404, unknown-reply",
        "GET, /v1/replies/%C3%A9t%C3%A9, 404, unknown-reply",
        "POST, /v1/invoke/echo?%zz, 400, bad-request",
        "POST, /v1/invoke/ech%zz, 400, bad-request",
        "POST, /v1/invoke/echo|x, 400, bad-request",
        "POST, /v1/invoke/, 404, not-found",
        "POST, /v1/invoke/echo/extra, 404, not-found",
        "PUT, /v1/replies/, 404, not-found",
        "GET, /v1/replies/a/b, 404, not-found",
        "GET, /v2/anything, 404, not-found",
        "GET, /v1/invoke/echo, 405, method-not-allowed",
        "PATCH, /v1/replies/abc, 405, method-not-allowed",
        "POST, /v1/invoke/no-such-op, 404, unknown-operation"})
    void answersAProblemWithoutEchoingUnsafeIds(String method, String target, int status, String type) {
        for (SidecarProcess sidecar : new SidecarProcess[] {caller, service}) {
            Exchange exchange = RawHttp.send(sidecar.port(), method, target, "Content-Type: text/plain");

            assertProblem(exchange, status, type);
            if (!type.equals("unknown-operation")) {
                assertThat(exchange.header("Mep-Correlation-Id")).isNull();
            }
        }
    }

    @Test
    void aHeadOfAnUnsafeIdIsA404WithoutABody() {
        Exchange exchange = RawHttp.send(caller.port(), "HEAD", "/v1/replies/%07", "");

        assertThat(exchange.answered()).as("answered within 5 s").isTrue();
        assertThat(exchange.status()).isEqualTo(404);
        assertThat(exchange.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(exchange.header("Mep-Correlation-Id")).isNull();
    }

    @Test
    void aMethodNotAllowedNamesTheAllowedOnes() {
        Exchange exchange = RawHttp.send(caller.port(), "GET", "/v1/invoke/echo", "");

        assertThat(exchange.header("Allow")).contains("POST");
    }

    @Test
    void aContentTypeThatIsNotAMediaTypeIsABadRequest() {
        Exchange exchange = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo", "Content-Type: garbage");

        assertProblem(exchange, 400, "bad-request");
        assertThat(exchange.body()).contains("Content-Type is not a media type");
    }

    @Test
    void anyValidMediaTypeIsForwardedAsItIs() {
        String type = "application/x-weird+json; charset=utf-8; v=\"1 2\"";
        Exchange exchange = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo", "Content-Type: " + type,
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(15));

        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.header("Content-Type")).isEqualTo(type);
        assertThat(exchange.body()).isEqualTo("{\"a\":1}");
    }

    @Test
    void aTooLongUriIsA414Problem() {
        assertProblem(RawHttp.send(caller.port(), "GET", "/v1/replies/" + "a".repeat(5000), ""), 414,
                "uri-too-long");
    }

    @Test
    void tooLargeHeadersAreA431Problem() {
        assertProblem(RawHttp.send(caller.port(), "GET", "/v1/replies/x", "X-Big: " + "a".repeat(30_000)), 431,
                "headers-too-large");
    }

    @Test
    void aDeclaredBodyBeyondTheLimitIsA413ProblemBeforeItIsRead() {
        Exchange exchange = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo",
                "Content-Type: application/octet-stream\r\nContent-Length: 20000000", new byte[0],
                Duration.ofSeconds(5));

        assertProblem(exchange, 413, "payload-too-large");
    }

    @Test
    void aBodyTheProducerCannotPublishIsA413AtBothEndpoints() {
        String over = "Content-Type: application/octet-stream\r\nContent-Length: " + (PRODUCER_MAX + 1);

        Exchange invoke = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo", over, new byte[0],
                Duration.ofSeconds(5));
        Exchange reply = RawHttp.send(service.port(), "PUT", "/v1/replies/" + UUID.randomUUID(), over, new byte[0],
                Duration.ofSeconds(5));

        assertProblem(invoke, 413, "payload-too-large");
        assertThat(invoke.body()).contains("kafka.max.request.size");
        assertProblem(reply, 413, "payload-too-large");
    }

    @Test
    void aChunkedBodyBeyondTheLimitIsA413ProblemOnceTheLimitIsPassed() {
        byte[] chunk = new byte[64 * 1024];
        byte[] body = chunked(chunk, PRODUCER_MAX / chunk.length + 1);

        Exchange exchange = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo",
                "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked", body, Duration.ofSeconds(10));

        assertProblem(exchange, 413, "payload-too-large");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "text/plain|chunk chunk chunk ",
        "application/x-www-form-urlencoded|a=1&b=%20two&",
        "multipart/form-data; boundary=xyz|--xyz\\r\\nContent-Disposition: form-data; name=\"a\"\\r\\n\\r\\n1\\r\\n"
            + "--xyz--\\r\\n"})
    void aChunkedBodyWithinTheLimitGoesThroughByteForByte(String contentType, String text) {
        String content = text.replace("\\r\\n", "\r\n");
        byte[] body = chunked(content.getBytes(StandardCharsets.US_ASCII), 1);

        Exchange exchange = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo",
                "Content-Type: " + contentType + "\r\nTransfer-Encoding: chunked", body, Duration.ofSeconds(15));

        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.body()).isEqualTo(content);
    }

    @Test
    void aBodyTheProducerCanPublishGoesThrough() {
        byte[] body = new byte[PRODUCER_MAX - 16 * 1024]; // room for the record's headers
        Arrays.fill(body, (byte) 'x');

        Exchange exchange = RawHttp.send(caller.port(), "POST", "/v1/invoke/echo",
                "Content-Type: application/octet-stream", body, Duration.ofSeconds(15));

        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.body()).hasSize(body.length);
    }

    @Test
    void tooManyHeaderFieldsAreA431Problem() {
        StringBuilder headers = new StringBuilder("Content-Type: text/plain");
        for (int i = 0; i < 101; i++) {
            headers.append("\r\nX-Field-").append(i).append(": ").append(i);
        }

        assertProblem(RawHttp.send(caller.port(), "POST", "/v1/invoke/echo", headers.toString()), 431,
                "headers-too-large");
        assertProblem(RawHttp.send(service.port(), "PUT", "/v1/replies/" + UUID.randomUUID(),
                headers.toString()), 431, "headers-too-large");
    }

    /** A chunked body (RFC 9112 §7.1) of {@code count} chunks, each {@code chunk}. */
    private static byte[] chunked(byte[] chunk, int count) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            body.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(chunk);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    private static void assertProblem(Exchange exchange, int status, String type) {
        assertThat(exchange.answered()).as("answered within 5 s").isTrue();
        assertThat(exchange.status()).isEqualTo(status);
        assertThat(exchange.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(exchange.body()).contains("\"type\":\"urn:mep-sidecar:problem:" + type + "\"")
                .contains("\"status\":" + status);
    }

}
