package io.mepsidecar.service;

import io.mepsidecar.testing.FreePorts;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TestApp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * When the serving sidecar cannot reach its app: a request-reply caller gets a 502 problem at once, and a one-way
 * message waits on the topic until the app is there.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(AppUnreachableTest.AppDown.class)
class AppUnreachableTest {

    /**
     * Nothing listens here until a test starts an app on it. Kept in a system property: the profile and the test
     * class are loaded by different class loaders, so a static field would be initialised twice.
     */
    static synchronized int appPort() {
        String port = System.getProperty("test.app-down.port");
        if (port == null) {
            port = Integer.toString(FreePorts.next());
            System.setProperty("test.app-down.port", port);
        }
        return Integer.parseInt(port);
    }

    public static class AppDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mep.app-url", "http://127.0.0.1:" + appPort(),
                    "mep.app-name", "unreachable-app",
                    "mep.serves", "gone,gone-notify");
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


    @Test
    void deliversAOneWayMessageOnceTheAppComesUp() {
        String body = "{\"event\":\"" + UUID.randomUUID() + "\"}";
        given().contentType("application/json").body(body)
                .when().post("/v1/invoke/gone-notify")
                .then().statusCode(202);

        try (TestApp app = TestApp.start(appPort())) {
            TestApp.Received seen = await().atMost(Duration.ofSeconds(30)).until(() -> app.received().stream()
                    .filter(r -> body.equals(new String(r.body()))).findFirst().orElse(null), r -> r != null);
            assertThat(seen.path()).isEqualTo("/gone-notify");
        }
    }
}
