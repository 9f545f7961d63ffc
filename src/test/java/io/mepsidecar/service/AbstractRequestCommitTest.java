package io.mepsidecar.service;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request is finished on the Kafka side (offset committed, or record acknowledged in a share group) only once its
 * reply is published, so a crash in between delivers it again.
 */
abstract class AbstractRequestCommitTest extends ServiceRoleTest {

    @AfterEach
    void releaseHeldRequests() {
        KafkaTestResource.app().releaseSlow();
    }

    @Test
    void doesNotCommitARequestWhileTheAppIsStillWorkingOnIt() throws Exception {
        String body = "hold-" + UUID.randomUUID();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(
                () -> given().contentType("text/plain").body(body).post("/v1/invoke/hold"));
        TestApp.Received held = await().until(() -> KafkaTestResource.app().received().stream()
                .filter(r -> body.equals(new String(r.body()))).findFirst().orElse(null), r -> r != null);
        assertThat(held.path()).isEqualTo("/slow");
        ConsumerRecord<String, byte[]> request = TopicReader.recordsWithHeader(
                KafkaTestResource.broker().bootstrapServers(), "test.hold", WireHeaders.CORRELATION_ID,
                held.header("Mep-Correlation-Id")).get(0);
        TopicPartition partition = new TopicPartition(request.topic(), request.partition());

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> KafkaTestResource.groupPosition("test-app", partition, shareGroup()) <= request.offset());

        KafkaTestResource.app().releaseSlow();

        assertThat(call.get().statusCode()).isEqualTo(200);
        await().until(() ->
                KafkaTestResource.groupPosition("test-app", partition, shareGroup()) >= request.offset() + 1);
    }

}
