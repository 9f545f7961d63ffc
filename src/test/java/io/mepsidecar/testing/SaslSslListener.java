package io.mepsidecar.testing;

import io.mepsidecar.kube.TestPki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker side of a {@code SASL_SSL} listener for {@link EmbeddedKafkaBroker}: a server certificate for the
 * listener's address signed by a CA made for the test (openssl, {@link TestPki}), SCRAM-SHA-512, and the
 * StandardAuthorizer with its ACLs. Brokers and controller keep talking PLAINTEXT among themselves on the same address;
 * that listener's principal ({@code User:ANONYMOUS}) is a super user, so the test's own clients on it (topics,
 * users, ACLs) need no credentials, as does {@code User:admin} on the SASL_SSL listener.
 */
final class SaslSslListener {

    static final String NAME = "SASL_SSL";
    static final String MECHANISM = "SCRAM-SHA-512";
    static final String ADMIN = "admin";

    private final Path caCertificate;
    private final Path keyStore;

    private SaslSslListener(Path caCertificate, Path keyStore) {
        this.caCertificate = caCertificate;
        this.keyStore = keyStore;
    }

    /** A fresh CA in {@code dir} and a certificate it signs for {@code host} (an IP address). */
    static SaslSslListener create(Path dir, String host) {
        TestPki pki = TestPki.create(dir);
        TestPki.PemPair server = pki.issueServerCert("kafka-broker", List.of(host), List.of("localhost"));
        Path keyStore = dir.resolve("kafka-broker.pem");
        try { // Kafka's PEM key store: the PKCS#8 key and the certificate chain in one file
            Files.writeString(keyStore, server.keyPem() + "\n" + server.certPem() + "\n" + pki.ca().certPem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SaslSslListener(pki.ca().cert(), keyStore);
    }

    /** The CA that signed the listener's certificate, PEM: what clients trust ({@code ssl.truststore.type=PEM}). */
    Path caCertificate() {
        return caCertificate;
    }

    /** Broker settings for a PLAINTEXT, a SASL_SSL and a controller listener on {@code host}. */
    Map<String, String> brokerSettings(String host, int plainPort, int saslSslPort, int controllerPort,
            String controllerListener) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", "PLAINTEXT://" + host + ":" + plainPort + "," + NAME + "://" + host + ":" + saslSslPort
                + "," + controllerListener + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + plainPort + "," + NAME + "://" + host + ":"
                + saslSslPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + NAME + ":SASL_SSL," + controllerListener
                + ":PLAINTEXT");
        p.put("sasl.enabled.mechanisms", MECHANISM);
        String prefix = "listener.name." + NAME.toLowerCase() + ".";
        p.put(prefix + MECHANISM.toLowerCase() + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put(prefix + "ssl.keystore.type", "PEM");
        p.put(prefix + "ssl.keystore.location", keyStore.toAbsolutePath().toString());
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:ANONYMOUS;User:" + ADMIN);
        return p;
    }

    /** Settings of a client that logs in as {@code user} on this listener. */
    Map<String, Object> clientSettings(String bootstrapServers, String user, String password) {
        return Map.of("bootstrap.servers", bootstrapServers,
                "security.protocol", NAME,
                "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", jaasConfig(user, password),
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", caCertificate.toAbsolutePath().toString());
    }

    static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}
