package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code mep.debug.hop-timestamps}: a caller sidecar with it answers a synchronous call with {@code Mep-Hops}, the
 * times the call passed each hand-off on both sidecars; the serving sidecar stamps its part without any setting,
 * because the request asks for it; a caller sidecar without it adds nothing. All sidecars run on one machine, so one
 * clock: the stamps must follow the call's causal order.
 */
class HopTimestampsIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final List<String> HOPS = List.of("http-in", "publish", "send", "ack", "consumed", "app-call",
            "app-answer", "reply-send", "reply-consumed", "http-out");
    /** The hops in the order causality puts them; {@code ack} only follows {@code send}. */
    private static final List<String> CAUSAL = List.of("http-in", "publish", "send", "consumed", "app-call",
            "app-answer", "reply-send", "reply-consumed", "http-out");

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess tracingCaller;
    private static SidecarProcess plainCaller;

    @BeforeAll
    static void startTopology() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "e2e.echo", "traced-frontend.replies", "plain-frontend.replies");
        app = TestApp.start();
        service = SidecarProcess.builder("hops-service")
                .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(app.url()).serves("echo")
                .start();
        tracingCaller = SidecarProcess.builder("traced-frontend")
                .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .env("MEP_DEBUG_HOP_TIMESTAMPS", "true")
                .start();
        plainCaller = SidecarProcess.builder("plain-frontend")
                .bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .start();
    }

    @AfterAll
    static void stopTopology() {
        Closer.closeAll(plainCaller, tracingCaller, service, app, broker);
    }

    @Test
    void answersASynchronousCallWithTheTimesOfAllTenHopsInCausalOrder() {
        Response response = given().baseUri(tracingCaller.url()).contentType("text/plain").body("where does it go")
                .when().post("/v1/invoke/echo");

        response.then().statusCode(200).body(equalTo("where does it go"));
        String header = response.header("Mep-Hops");
        assertThat(header).as("Mep-Hops").isNotNull();
        Map<String, Long> stamps = parse(header);
        assertThat(new ArrayList<>(stamps.keySet())).as(header).containsExactlyElementsOf(HOPS);
        assertThat(stamps.values()).as(header).allSatisfy(micros -> assertThat(micros).isPositive());
        for (int i = 1; i < CAUSAL.size(); i++) {
            assertThat(stamps.get(CAUSAL.get(i))).as(CAUSAL.get(i) + " after " + CAUSAL.get(i - 1) + " in " + header)
                    .isGreaterThanOrEqualTo(stamps.get(CAUSAL.get(i - 1)));
        }
        assertThat(stamps.get("ack")).as("ack after send in " + header).isGreaterThanOrEqualTo(stamps.get("send"));
        // epoch microseconds: within the minute around now
        assertThat(stamps.get("http-in")).isBetween((System.currentTimeMillis() - 60_000) * 1_000,
                System.currentTimeMillis() * 1_000);
    }

    @Test
    void addsNoHeaderWhereTheCallerSidecarDoesNotTrace() {
        Response response = given().baseUri(plainCaller.url()).contentType("text/plain").body("untraced")
                .when().post("/v1/invoke/echo");

        response.then().statusCode(200).body(equalTo("untraced"));
        assertThat(response.header("Mep-Hops")).isNull();
    }

    /** {@code name=micros,name=micros} in the order given; fails on anything else. */
    private static Map<String, Long> parse(String header) {
        Map<String, Long> stamps = new LinkedHashMap<>();
        for (String pair : header.split(",", -1)) {
            String[] parts = pair.split("=", -1);
            assertThat(parts).as("pair '%s' of %s", pair, header).hasSize(2);
            assertThat(stamps.put(parts[0], Long.parseLong(parts[1]))).as("%s twice in %s", parts[0], header).isNull();
        }
        return stamps;
    }
}
