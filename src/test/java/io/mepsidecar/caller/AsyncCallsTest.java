package io.mepsidecar.caller;

import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.Metrics;
import io.mepsidecar.testing.TestApp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** Asynchronous calls as a caller's app sees them: reply resources, long-polls, abandon, timeouts, callbacks. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AsyncCallsTest {

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @AfterEach
    void releaseHeldRequests() {
        KafkaTestResource.app().releaseSlow();
    }

    @Test
    void answers202WithRetryAfterWhilePendingThenTheResult() {
        String body = "pending-" + UUID.randomUUID();
        String location = startAsync("hold", body).header("Location");

        given().get(location).then().statusCode(202).header("Retry-After", "1").header("Location", location);
        awaitHeld(body);
        KafkaTestResource.app().releaseSlow();

        Response done = await().until(() -> given().get(location), r -> r.statusCode() != 202);
        done.then().statusCode(200).body(equalTo(body));
        given().get(location).then().statusCode(200).body(equalTo(body));
    }

    @Test
    void anAsyncCallWithWaitAnswers202WhenTheResultDoesNotComeInTime() {
        String body = "not-in-time-" + UUID.randomUUID();

        Response response = given().header("Prefer", "respond-async, wait=1").contentType("text/plain").body(body)
                .post("/v1/invoke/hold");

        response.then().statusCode(202).header("Preference-Applied", "respond-async")
                .header("Location", "/v1/replies/" + response.header("Mep-Correlation-Id"));
        awaitHeld(body);
        KafkaTestResource.app().releaseSlow();
        await().until(() -> given().get(response.header("Location")).statusCode() == 200);
    }

    @Test
    void aCallStillWithinItsWaitHasNoReplyResourceYet() throws Exception {
        String body = "undecided-" + UUID.randomUUID();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given()
                .header("Prefer", "respond-async, wait=20").contentType("text/plain").body(body)
                .post("/v1/invoke/hold"));
        String id = await().until(() -> KafkaTestResource.app().received().stream()
                .filter(r -> body.equals(new String(r.body()))).map(r -> r.header("Mep-Correlation-Id"))
                .findFirst().orElse(null), found -> found != null);

        given().get("/v1/replies/" + id).then().statusCode(404);
        given().delete("/v1/replies/" + id).then().statusCode(404);
        KafkaTestResource.app().releaseSlow();

        call.get().then().statusCode(200).body(equalTo(body));
    }

    @Test
    void longPollReturnsTheResultAsSoonAsItArrives() throws Exception {
        String body = "long-poll-" + UUID.randomUUID();
        String location = startAsync("hold", body).header("Location");
        awaitHeld(body);

        CompletableFuture<Response> poll = CompletableFuture.supplyAsync(
                () -> given().header("Prefer", "wait=20").get(location));
        KafkaTestResource.app().releaseSlow();

        poll.get().then().statusCode(200).body(equalTo(body));
    }

    @Test
    void longPollAnswers202WhenTheWaitRunsOut() {
        String body = "still-pending-" + UUID.randomUUID();
        String location = startAsync("hold", body).header("Location");

        given().header("Prefer", "wait=1").get(location).then().statusCode(202).header("Location", location);
    }

    @Test
    void deleteAbandonsAPendingCallAndItsLateReplyIsCounted() {
        double before = unmatched("hold");
        String body = "abandoned-" + UUID.randomUUID();
        Response accepted = startAsync("hold", body);
        awaitHeld(body);

        given().delete(accepted.header("Location")).then().statusCode(204)
                .header("Mep-Correlation-Id", accepted.header("Mep-Correlation-Id"));
        given().get(accepted.header("Location")).then().statusCode(404);
        KafkaTestResource.app().releaseSlow();

        await().untilAsserted(() -> assertThat(unmatched("hold")).isEqualTo(before + 1));
    }

    @Test
    void deleteForgetsAResult() {
        String location = startAsync("echo", "forget me").header("Location");
        await().until(() -> given().get(location).statusCode() == 200);

        given().delete(location).then().statusCode(204);

        given().get(location).then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:unknown-reply"));
    }

    @Test
    void answers404ProblemForAnUnknownReply() {
        String id = UUID.randomUUID().toString();
        given().get("/v1/replies/" + id).then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:unknown-reply"))
                .body("correlationId", equalTo(id));
        given().delete("/v1/replies/" + id).then().statusCode(404);
    }

    @Test
    void aTimeoutIsTheResultOfAnAsynchronousCall() {
        String location = startAsync("unserved", "nobody home").header("Location");

        Response done = await().until(() -> given().get(location), r -> r.statusCode() != 202);

        done.then().statusCode(504).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:reply-timeout"));
    }

    @Test
    void aCallerMayAskForAShorterTimeout() {
        given().header("Mep-Timeout", "200ms").contentType("text/plain").body("hurry")
                .post("/v1/invoke/unserved")
                .then().statusCode(504).body("detail", equalTo("no reply to operation 'unserved' within 200 ms"));
    }

    @Test
    void rejectsATimeoutLongerThanTheContractAllowsOrUnreadable() {
        given().header("Mep-Timeout", "1h").contentType("text/plain").body("x").post("/v1/invoke/echo")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:mep-sidecar:problem:bad-request"))
                .body("detail", containsString("at most the contract's timeout of echo (10000 ms)"));
        given().header("Mep-Timeout", "soon").contentType("text/plain").body("x").post("/v1/invoke/echo")
                .then().statusCode(400).body("detail", containsString("'soon' is not a duration"));
    }

    @Test
    void rejectsACallbackThatIsNotAPathOnTheLocalApp() {
        for (String target : List.of("http://evil.example/steal", "//evil.example/steal", "relative/path",
                "/a/../../etc", "/%zz", "/%2e%2e/x", "/.%2e/x", "/a/%2E%2E/b", "/..%2f", "/a/%2fb", "/a?x=1")) {
            given().header("Prefer", "respond-async").header("Mep-Callback", target)
                    .contentType("text/plain").body("x").post("/v1/invoke/echo")
                    .then().statusCode(400).body("detail", containsString("must be a path on the caller's own app"));
        }
        given().header("Mep-Callback", "/callbacks/sync").contentType("text/plain").body("x")
                .post("/v1/invoke/echo")
                .then().statusCode(400).body("detail", containsString("needs 'Prefer: respond-async'"));
        given().header("Prefer", "respond-async").header("Mep-Callback", "/callbacks/one-way")
                .contentType("text/plain").body("x").post("/v1/invoke/notify")
                .then().statusCode(400).body("detail", containsString("one-way operation, there is no reply"));
    }

    @Test
    void retriesACallbackUntilTheAppAcceptsIt() {
        String path = "/flaky/" + UUID.randomUUID();
        Response accepted = given().header("Prefer", "respond-async").header("Mep-Callback", path)
                .contentType("text/plain").body("try again").post("/v1/invoke/echo");
        accepted.then().statusCode(202);

        await().untilAsserted(() -> assertThat(received(path)).hasSize(2));
        assertThat(received(path)).allSatisfy(callback -> {
            assertThat(callback.header("Mep-Correlation-Id")).isEqualTo(accepted.header("Mep-Correlation-Id"));
            assertThat(new String(callback.body())).isEqualTo("try again");
        });
    }

    @Test
    void aOneWayCallIgnoresPreferAndIsAcceptedWithoutAReplyResource() {
        given().header("Prefer", "respond-async, wait=5").contentType("text/plain").body("event")
                .post("/v1/invoke/notify")
                .then().statusCode(202).body(emptyString()).header("Location", nullValue());
    }

    private static Response startAsync(String operation, String body) {
        Response accepted = given().header("Prefer", "respond-async").contentType("text/plain").body(body)
                .post("/v1/invoke/" + operation);
        accepted.then().statusCode(202);
        return accepted;
    }

    private static void awaitHeld(String body) {
        await().until(() -> KafkaTestResource.app().received().stream()
                .anyMatch(r -> r.path().equals("/slow") && body.equals(new String(r.body()))));
    }

    private static List<TestApp.Received> received(String path) {
        return KafkaTestResource.app().received().stream().filter(r -> r.path().equals(path))
                .collect(Collectors.toList());
    }

    private double unmatched(String operation) {
        return Metrics.scrape(metrics, "mep_caller_replies_unmatched_total", operation);
    }
}
