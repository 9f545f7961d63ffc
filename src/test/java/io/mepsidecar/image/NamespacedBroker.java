package io.mepsidecar.image;

import io.mepsidecar.testing.EmbeddedKafkaBroker;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A Kafka broker as a JVM of its own, for a network namespace: {@code NamespacedBroker HOST PORT TOPIC...} listens on
 * {@code HOST:PORT} (controller on PORT+1), creates the topics, prints {@link #READY} and runs until it is killed.
 */
public final class NamespacedBroker {

    static final String READY = "broker ready";

    private NamespacedBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(host, port, port + 1, Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        for (int i = 2; i < args.length; i++) {
            broker.createTopics(1, args[i]);
        }
        System.out.println(READY + " on " + broker.bootstrapServers());
        new CountDownLatch(1).await();
    }
}
