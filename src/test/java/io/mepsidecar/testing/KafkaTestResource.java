package io.mepsidecar.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * One real Kafka broker and one real local app for the whole test run, shared by every {@code @QuarkusTest}; both
 * are stopped when the test JVM exits. Exposed as {@code test.kafka.bootstrap} and {@code test.app.url}, which the
 * test {@code application.properties} maps onto the sidecar settings, so a test profile can still override them.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** Topics of the test contract, created up front so no consumer waits for auto-creation. */
    public static final String[] TOPICS = {"test.echo", "test.echo-later", "test.deferred", "test.status", "test.slow", "test.unserved", "test.notify",
        "test.gone", "test.gone-notify", "test.hold", "test-app.replies", "unreachable-app.replies"};

    private static EmbeddedKafkaBroker broker;
    private static TestApp app;

    public static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            broker = EmbeddedKafkaBroker.start();
            broker.createTopics(2, TOPICS);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        }
        return broker;
    }

    public static synchronized TestApp app() {
        if (app == null) {
            app = TestApp.start();
            Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        }
        return app;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("test.kafka.bootstrap", broker().bootstrapServers(), "test.app.url", app().url());
    }

    @Override
    public void stop() {
        // shared by the whole run; stopped by the shutdown hooks
    }
}
