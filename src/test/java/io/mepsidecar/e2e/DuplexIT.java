package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Duplex: two sidecar processes whose apps are each caller and service. The frontend app calls the shop's
 * request-reply {@code place-order}; while serving it, the shop app calls the one-way {@code order-confirmed} that the
 * frontend app serves — a callback contract over the same sidecars.
 */
class DuplexIT {

    private static final Path CONTRACT = Path.of("src/test/resources/duplex-contract.yaml");

    private static EmbeddedKafkaBroker broker;
    private static TestApp frontendApp;
    private static TestApp shopApp;
    private static SidecarProcess frontend;
    private static SidecarProcess shop;

    @BeforeAll
    static void startBothSides() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopics(2, "duplex.place-order", "duplex.order-confirmed", "frontend.replies", "shop.replies");
        frontendApp = TestApp.start();
        shopApp = TestApp.start();
        frontend = SidecarProcess.builder("frontend").bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(frontendApp.url()).serves("order-confirmed").start();
        shop = SidecarProcess.builder("shop").bootstrapServers(broker.bootstrapServers()).contract(CONTRACT)
                .appUrl(shopApp.url()).serves("place-order").start();
        frontendApp.sidecarUrl(frontend.url());
        shopApp.sidecarUrl(shop.url());
    }

    @AfterAll
    static void stopBothSides() {
        Closer.closeAll(frontend, shop, frontendApp, shopApp, broker);
    }

    @Test
    void theServingAppCallsBackIntoTheCallersApp() {
        String order = "{\"order\":\"" + UUID.randomUUID() + "\"}";

        given().baseUri(frontend.url()).contentType("application/json").body(order)
                .when().post("/v1/invoke/place-order")
                .then().statusCode(200).body(equalTo(order));

        TestApp.Received confirmation = await().until(() -> frontendApp.received().stream()
                .filter(r -> r.path().equals("/order-confirmed") && order.equals(new String(r.body())))
                .findFirst().orElse(null), r -> r != null);
        assertThat(confirmation.header("Mep-Operation")).isEqualTo("order-confirmed");
        assertThat(confirmation.header("Mep-Caller")).startsWith("/shop/");
        assertThat(shopApp.received()).anyMatch(r -> r.path().equals("/place-order")
                && r.header("Mep-Caller").startsWith("/frontend/"));
    }
}
