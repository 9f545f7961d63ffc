package io.mepsidecar.service;

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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** When the serving sidecar cannot reach its app, the caller gets a 502 problem instead of waiting for the deadline. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(AppUnreachableTest.AppDown.class)
class AppUnreachableTest {

    public static class AppDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mep.app-url", "http://127.0.0.1:" + FreePorts.next(),
                    "mep.app-name", "unreachable-app",
                    "mep.serves", "gone");
        }
    }

    @Test
    void returns502ProblemNamingTheApp() {
        Response response = given().contentType("application/json").body("{\"x\":1}")
                .when().post("/v1/invoke/gone");

        response.then().statusCode(502).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:app-unreachable"))
                .body("detail", containsString("/gone could not be reached"));
        assertThat(response.jsonPath().getString("correlationId")).isEqualTo(response.header("Mep-Correlation-Id"))
                .isNotBlank();
    }

}
