package io.mepsidecar.caller;

import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.TestApp;
import io.mepsidecar.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.emptyString;

/** A one-way operation: accepted once the broker has the message, delivered to the app, never answered. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class OneWayTest {

    @Test
    void answers202OnceTheMessageIsOnTheTopicAndTheAppReceivesIt() {
        String body = "{\"order\":\"" + UUID.randomUUID() + "\"}";

        String correlationId = given().contentType("application/json").body(body)
                .when().post("/v1/invoke/notify")
                .then().statusCode(202).body(emptyString())
                .extract().header("Mep-Correlation-Id");

        String bootstrap = KafkaTestResource.broker().bootstrapServers();
        List<ConsumerRecord<String, byte[]>> requests = TopicReader.recordsWithHeader(bootstrap, "test.notify",
                WireHeaders.CORRELATION_ID, correlationId);
        assertThat(requests).hasSize(1);
        assertThat(new String(requests.get(0).value())).isEqualTo(body);
        assertThat(TopicReader.header(requests.get(0), WireHeaders.REPLY_TO)).isNull();

        TestApp.Received seen = await().until(
                () -> KafkaTestResource.app().receivedWith("Mep-Correlation-Id", correlationId).orElse(null),
                received -> received != null);
        assertThat(seen.path()).isEqualTo("/notify");
        assertThat(seen.header("Mep-Operation")).isEqualTo("notify");
        assertThat(new String(seen.body())).isEqualTo(body);
        assertThat(TopicReader.recordsWithHeader(bootstrap, "test-app.replies", WireHeaders.CORRELATION_ID,
                correlationId)).isEmpty();
    }
}
