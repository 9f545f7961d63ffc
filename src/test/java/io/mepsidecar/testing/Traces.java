package io.mepsidecar.testing;

import io.restassured.response.Response;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** What the trace-context tests share: a fresh traceparent, and the serving app's request of a call. */
public final class Traces {

    private Traces() {
    }

    /** A sampled traceparent with a random trace id and parent id. */
    public static String traceparent() {
        byte[] ids = new byte[24];
        ThreadLocalRandom.current().nextBytes(ids);
        String hex = HexFormat.of().formatHex(ids);
        return "00-" + hex.substring(0, 32) + "-" + hex.substring(32) + "-01";
    }

    /** The serving app's request of the call this response answers (a one-way message may arrive after its 202). */
    public static TestApp.Received servedRequest(TestApp servingApp, Response response) {
        String id = response.header("Mep-Correlation-Id");
        assertThat(id).isNotBlank();
        return Awaitility.await("the serving app's request").atMost(Duration.ofSeconds(10))
                .until(() -> servingApp.receivedWith("Mep-Correlation-Id", id), Optional::isPresent).orElseThrow();
    }
}
