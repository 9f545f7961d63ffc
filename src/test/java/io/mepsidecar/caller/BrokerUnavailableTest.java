package io.mepsidecar.caller;

import io.mepsidecar.testing.FreePorts;
import io.mepsidecar.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** A sidecar whose broker cannot be reached answers at once with 503 instead of hanging. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(BrokerUnavailableTest.NoBroker.class)
@io.mepsidecar.testing.NotReadyOnPurpose
class BrokerUnavailableTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:" + FreePorts.next(),
                    "mep.app-name", "no-broker-app",
                    "mep.caller.publish-timeout", "1s");
        }
    }

    @Test
    void returns503ProblemForARequestReplyCall() {
        Response response = given().contentType("text/plain").body("hello?")
                .when().post("/v1/invoke/echo");

        response.then().statusCode(503).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:broker-unavailable"));
        assertThat(response.jsonPath().getString("correlationId")).isEqualTo(response.header("Mep-Correlation-Id"))
                .isNotBlank();
    }

    @Test
    void returns503ProblemForAOneWayCallOnceThePublishTimeoutPassed() {
        Response response = given().contentType("text/plain").body("fire and forget")
                .when().post("/v1/invoke/notify");

        response.then().statusCode(503).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:broker-unavailable"));
        assertThat(response.jsonPath().getString("detail")).contains("test.notify", "1000 ms");
        assertThat(response.jsonPath().getString("correlationId")).isEqualTo(response.header("Mep-Correlation-Id"));
    }

}
