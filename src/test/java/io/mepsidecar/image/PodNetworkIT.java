package io.mepsidecar.image;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pod network without Kubernetes: network namespaces joined by veths to a bridge in a "node" namespace. The pod
 * {@code mep-pod-*} holds the sidecar (the image run with runc) and its app ({@link PodApp} on 127.0.0.1:8080); the
 * broker runs in {@code mep-broker-*}; {@code mep-other-*} is another pod. The sidecar calls and serves {@code quote},
 * so one call goes app → sidecar → broker → the same sidecar → app and back.
 */
class PodNetworkIT {

    private static final Path CONTRACT = Path.of("src/test/resources/image-contract.yaml");
    private static final String POD_IP = "10.77.0.2";
    private static final String BROKER_IP = "10.77.0.3";
    private static final String OTHER_IP = "10.77.0.4";

    private static final List<AutoCloseable> namespaces = new ArrayList<>();
    private static NetworkNamespace pod;
    private static NetworkNamespace other;
    private static Process broker;
    private static Process app;
    private static RuncContainer sidecar;

    @BeforeAll
    static void startPods() {
        Commands.requireRootAndTools();
        NetworkNamespace node = namespace("mep-node");
        node.addBridge();
        pod = namespace("mep-pod");
        pod.attachTo(node, "pod", POD_IP + "/24");
        NetworkNamespace brokerNode = namespace("mep-broker");
        brokerNode.attachTo(node, "broker", BROKER_IP + "/24");
        other = namespace("mep-other");
        other.attachTo(node, "other", OTHER_IP + "/24");

        Path logs = ImageUnderTest.workDirectory();
        Path brokerLog = logs.resolve(brokerNode.name() + ".log");
        broker = brokerNode.startJava(brokerLog, NamespacedBroker.class.getName(), BROKER_IP, "9092",
                "image.quote", "pod-network.replies");
        Path appLog = logs.resolve(pod.name() + "-app.log");
        app = pod.startJava(appLog, PodApp.class.getName(), "8080");
        Commands.awaitOutput(broker, brokerLog, NamespacedBroker.READY, Duration.ofSeconds(60));
        Commands.awaitOutput(app, appLog, PodApp.READY, Duration.ofSeconds(30));

        sidecar = RuncContainer.builder("mep-pod").networkNamespace(pod.path()).contract(CONTRACT)
                .env("MEP_APP_NAME", "pod-network")
                .env("MEP_INSTANCE_ID", pod.name())
                .env("KAFKA_BOOTSTRAP_SERVERS", BROKER_IP + ":9092")
                .env("MEP_SERVES", "quote")
                .env("MEP_APP_URL", "http://127.0.0.1:8080")
                .start();
        Awaitility.await("sidecar ready; log " + sidecar.log()).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    assertThat(sidecar.status()).as("container status; output: %s", sidecar.output())
                            .isEqualTo("running");
                    return "200".equals(curl(pod, "http://127.0.0.1:9000/q/health/ready").output());
                });
    }

    @AfterAll
    static void stopPods() {
        if (sidecar != null) {
            sidecar.close();
        }
        Commands.stop(app);
        Commands.stop(broker);
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                namespaces.get(i).close();
            } catch (Exception e) {
                // best effort: the other namespaces still go
            }
        }
        namespaces.clear();
    }

    @Test
    void appCallReachesItsOwnAppThroughTheBrokerInAnotherPod() {
        Commands.Result call = Commands.run(pod.exec("curl", "-sS", "--max-time", "15",
                "-w", "\n%{http_code}", "-H", "Content-Type: application/json",
                "--data", "{\"symbol\":\"ACME\"}", "http://127.0.0.1:7070/v1/invoke/quote"));

        assertThat(call.ok()).as("curl: %s", call.output()).isTrue();
        String[] bodyAndStatus = call.output().split("\n");
        assertThat(bodyAndStatus[bodyAndStatus.length - 1]).as(call.output()).isEqualTo("200");
        assertThat(bodyAndStatus[0]).isEqualTo("{\"quote\":{\"symbol\":\"ACME\"},\"servedBy\":\"pod-app\"}");
    }

    @Test
    void otherPodsReachTheProbesButNotTheApi() {
        Commands.Result api = Commands.run(other.exec("curl", "-sS", "--max-time", "5",
                "http://" + POD_IP + ":7070/"));
        // 7: could not connect (refused: the same address answers on 9000 just below, so it is routed; a dropped
        // packet would be a timeout, 28)
        assertThat(api.exitCode()).as("curl exit code: %s", api.output()).isEqualTo(7);

        assertThat(curl(other, "http://" + POD_IP + ":9000/q/health/ready").output()).isEqualTo("200");
    }

    /** The status code of a GET from inside a namespace ({@code 000} when nothing answered). */
    private static Commands.Result curl(NetworkNamespace from, String url) {
        return Commands.run(from.exec("curl", "-s", "-o", "/dev/null", "--max-time", "3", "-w", "%{http_code}", url));
    }

    private static NetworkNamespace namespace(String prefix) {
        NetworkNamespace namespace = NetworkNamespace.create(prefix);
        namespaces.add(namespace);
        return namespace;
    }
}
