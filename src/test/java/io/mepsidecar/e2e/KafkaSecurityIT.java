package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.ConsumptionMode;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.KafkaAcl;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import io.restassured.response.Response;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Kafka with TLS and SASL, for real: a broker whose SASL_SSL listener (SCRAM-SHA-512, a certificate of a CA made for
 * the test) allows each user only its ACLs. A shop (caller) and a pricing service, each with exactly the ACLs
 * docs/security.md lists for its role, on topics an operator created: calls go through. A sidecar whose user lacks one
 * of them, or logs in with a wrong password, is not ready, and its readiness and its log say what is missing.
 */
class KafkaSecurityIT {

    private static final Path CONTRACT = Path.of("src/test/resources/security-contract.yaml");
    private static final Duration REFUSED_WITHIN = Duration.ofSeconds(30);

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess pricing;
    private static SidecarProcess shop;
    private static SidecarProcess teller;
    private static SidecarProcess billing;
    private static SidecarProcess ledger;
    private static SidecarProcess impostor;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.startWithSaslSsl();
        createTopicsAsAnOperatorWould("shop", "pricing", "teller", "billing", "ledger");
        app = TestApp.start();
        for (String user : List.of("pricing", "shop", "teller", "billing", "ledger")) {
            broker.createScramUser(user, passwordOf(user));
        }
        grantRole("pricing", serves("pricing", "sec.quote", ConsumptionMode.SHARE_GROUP),
                serves("pricing", "sec.price-changed", ConsumptionMode.SHARE_GROUP), repliesTo("shop"));
        grantRole("shop", calls("sec.quote"), calls("sec.price-changed"));
        // one ACL fewer each; started at once, so that they come up while the others are tested
        broker.grant("teller", without(everySidecar("teller"), KafkaAcl.group("teller.replies", READ)));
        grantRole("billing", without(serves("billing", "sec.audit", ConsumptionMode.CONSUMER_GROUP),
                KafkaAcl.group("billing", READ)));
        grantRole("ledger", without(serves("ledger", "sec.audit", ConsumptionMode.SHARE_GROUP),
                KafkaAcl.topic("sec.audit.dlq", WRITE)));
        teller = launch(sidecar("teller", passwordOf("teller")));
        billing = launch(sidecar("billing", passwordOf("billing")).appUrl(app.url()).serves("audit")
                .consumption(ConsumptionMode.CONSUMER_GROUP));
        ledger = launch(sidecar("ledger", passwordOf("ledger")).appUrl(app.url()).serves("audit"));
        impostor = launch(sidecar("shop", "not-" + passwordOf("shop")));

        pricing = sidecar("pricing", passwordOf("pricing")).appUrl(app.url()).serves("quote,price-changed").start();
        shop = sidecar("shop", passwordOf("shop")).start();
    }

    @AfterAll
    static void stop() {
        Closer.closeAll(impostor, ledger, billing, teller, shop, pricing, app, broker);
    }

    @Test
    void aCallAndAOneWayMessageGoThroughWithTheAclsOfEachRole() {
        String body = "{\"symbol\":\"ACME\",\"id\":\"" + UUID.randomUUID() + "\"}";
        given().baseUri(shop.url()).contentType("application/json").body(body)
                .post("/v1/invoke/quote").then().statusCode(200).body(equalTo(body));

        String event = "ACME 12.5 " + UUID.randomUUID();
        String id = given().baseUri(shop.url()).contentType("text/plain").body(event)
                .post("/v1/invoke/price-changed").then().statusCode(202).extract().header("Mep-Correlation-Id");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                app.receivedWith("Mep-Correlation-Id", id)).hasValueSatisfying(seen -> {
                    assertThat(seen.path()).isEqualTo("/price-changed");
                    assertThat(new String(seen.body(), StandardCharsets.UTF_8)).isEqualTo(event);
                }));
    }

    @Test
    void aCallOfAnOperationTheCallerMayNotPublishToSaysWhichAclIsMissing() {
        given().baseUri(shop.url()).contentType("text/plain").body("who bought what")
                .post("/v1/invoke/audit").then().statusCode(503)
                .body("detail", containsString("not authorized: WRITE on topic sec.audit (principal User:shop)"
                        + " - docs/security.md lists the ACLs each role needs"));
        assertThat(shop.output()).contains("User:shop may not publish to the topics of operations [audit]");
        assertThat(readiness(shop).statusCode()).isEqualTo(200);
    }

    @Test
    void aCallerWithoutReadOnItsReplyGroupIsNotReadyAndSaysWhy() {
        awaitNotReadyWith(teller, "not authorized: READ on group teller.replies (principal User:teller)"
                + " - docs/security.md lists the ACLs each role needs");
    }

    @Test
    void aServiceWithoutReadOnItsGroupIsNotReadyAndSaysWhy() {
        awaitNotReadyWith(billing, "not authorized: READ on group billing (principal User:billing)"
                + " - docs/security.md lists the ACLs each role needs");
    }

    @Test
    void aServiceWithoutWriteOnItsDeadLetterTopicIsNotReadyAndSaysWhy() {
        awaitNotReadyWith(ledger, "not authorized: WRITE on topic sec.audit.dlq (principal User:ledger)"
                + " - docs/security.md lists the ACLs each role needs");
    }

    @Test
    void aSidecarWithAWrongPasswordIsNotReadyAndSaysWhy() {
        awaitNotReadyWith(impostor, "cannot log in to Kafka as User:shop: Authentication failed during"
                + " authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
        assertThat(impostor.output()).contains("check kafka.sasl.jaas.config (KAFKA_SASL_JAAS_CONFIG)");
    }

    // --- the ACLs of docs/security.md, per role ---

    /** Every sidecar of app {@code app}: its state topic, and (contract with request-reply operations) its replies. */
    private static List<KafkaAcl> everySidecar(String app) {
        return List.of(KafkaAcl.topic(app + ".state", READ), KafkaAcl.topic(app + ".state", WRITE),
                KafkaAcl.topic(app + ".replies", READ), KafkaAcl.group(app + ".replies", READ));
    }

    /** A caller of the operation on {@code topic}. */
    private static List<KafkaAcl> calls(String topic) {
        return List.of(KafkaAcl.topic(topic, WRITE));
    }

    /** The sidecars of {@code app} serving the operation on {@code topic}. */
    private static List<KafkaAcl> serves(String app, String topic, ConsumptionMode mode) {
        List<KafkaAcl> acls = new ArrayList<>(List.of(KafkaAcl.topic(topic, READ),
                KafkaAcl.topic(topic + ".dlq", WRITE), KafkaAcl.group(app, READ)));
        if (mode == ConsumptionMode.SHARE_GROUP) {
            acls.add(KafkaAcl.topic(topic, WRITE)); // a request whose replica lost its app is published again
            acls.add(KafkaAcl.group(app, ALTER_CONFIGS)); // share.auto.offset.reset=earliest
        }
        return acls;
    }

    /** A server of operations called by {@code callerApp}: it publishes the replies. */
    private static List<KafkaAcl> repliesTo(String callerApp) {
        return List.of(KafkaAcl.topic(callerApp + ".replies", WRITE));
    }

    @SafeVarargs
    private static void grantRole(String app, List<KafkaAcl>... parts) {
        List<KafkaAcl> all = new ArrayList<>(everySidecar(app));
        for (List<KafkaAcl> part : parts) {
            all.addAll(part);
        }
        broker.grant(app, all);
    }

    // --- the set-up ---

    private static void createTopicsAsAnOperatorWould(String... apps) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String topic : List.of("sec.quote", "sec.quote.dlq", "sec.price-changed", "sec.price-changed.dlq",
                "sec.audit", "sec.audit.dlq")) {
            topics.add(new NewTopic(topic, 2, (short) 1));
        }
        for (String app : apps) {
            topics.add(new NewTopic(app + ".replies", 4, (short) 1));
            topics.add(new NewTopic(app + ".state", 3, (short) 1).configs(Map.of("cleanup.policy", "compact,delete")));
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static String passwordOf(String user) {
        return user + "-secret";
    }

    /** A sidecar of app {@code user} that logs in as that user, configured as docs/security.md says. */
    private static SidecarProcess.Builder sidecar(String user, String password) {
        return SidecarProcess.builder(user).contract(CONTRACT)
                .bootstrapServers(broker.saslSslBootstrapServers())
                .env("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .env("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .env("KAFKA_SASL_JAAS_CONFIG", EmbeddedKafkaBroker.scramJaasConfig(user, password))
                .env("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM")
                .env("KAFKA_SSL_TRUSTSTORE_LOCATION", broker.caCertificate().toString())
                .env("MEP_HEALTH_CHECK_INTERVAL", "1s");
    }

    private static SidecarProcess launch(SidecarProcess.Builder builder) {
        return builder.launchUnready();
    }

    private static List<KafkaAcl> without(List<KafkaAcl> acls, KafkaAcl left) {
        List<KafkaAcl> fewer = new ArrayList<>(acls);
        assertThat(fewer.remove(left)).as("%s is one of %s", left, acls).isTrue();
        return fewer;
    }

    /**
     * The sidecar runs and answers its probe: 503, with a check that is down and says {@code reason}; its log has
     * the same words.
     */
    private static void awaitNotReadyWith(SidecarProcess sidecar, String reason) {
        await().atMost(REFUSED_WITHIN).ignoreExceptions().untilAsserted(() -> {
            Response ready = readiness(sidecar);
            assertThat(ready.statusCode()).isEqualTo(503);
            List<Map<String, Object>> checks = ready.jsonPath().getList("checks");
            assertThat(checks).as(ready.asString()).anySatisfy(check -> {
                assertThat(check.get("status")).isEqualTo("DOWN");
                assertThat(String.valueOf(check.get("data"))).contains(reason);
            });
            assertThat(sidecar.output()).contains(reason);
        });
        assertThat(sidecar.isAlive()).isTrue();
        assertThat(readiness(sidecar).statusCode()).isEqualTo(503);
    }

    private static Response readiness(SidecarProcess sidecar) {
        return given().get(sidecar.managementUrl() + "/q/health/ready");
    }
}
