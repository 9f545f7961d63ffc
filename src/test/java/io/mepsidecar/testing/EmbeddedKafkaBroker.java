package io.mepsidecar.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running inside the
 * current JVM, listening on {@code 127.0.0.1} only and storing its log in a fresh temporary directory.
 * <p>
 * It exists for the tests and for the local demo, so that neither needs Docker or an external cluster.
 * It lives in the test sources and must never end up in the production artifact.
 * <p>
 * The broker's own loggers are turned down to WARN so that test output stays readable; client-side
 * Kafka logging is left alone.
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
 *     kafka.createTopics(2, "requests", "replies");
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> BROKER_LOG_CATEGORIES = List.of(
            "kafka", "state.change.logger",
            "org.apache.kafka.controller", "org.apache.kafka.coordinator", "org.apache.kafka.image",
            "org.apache.kafka.metadata", "org.apache.kafka.network", "org.apache.kafka.queue",
            "org.apache.kafka.raft", "org.apache.kafka.security", "org.apache.kafka.server",
            "org.apache.kafka.snapshot", "org.apache.kafka.storage");
    private static final List<Logger> QUIETED_LOGGERS = new ArrayList<>();

    private final File logDir;
    private final String bootstrapServers;
    private final Properties props;
    private KafkaRaftServer server;
    private boolean closed;
    /** The SASL_SSL listener, when started by {@link #startWithSaslSsl()}. */
    private SaslSslListener saslSsl;
    private String saslSslBootstrapServers;
    private File certificateDir;

    private EmbeddedKafkaBroker(File logDir, String bootstrapServers, Properties props, KafkaRaftServer server) {
        this.logDir = logDir;
        this.bootstrapServers = bootstrapServers;
        this.props = props;
        this.server = server;
    }

    /**
     * Formats a fresh temporary log directory, starts the broker on two free ports and waits until it
     * answers {@code describeCluster}.
     *
     * @throws IllegalStateException if the broker does not answer within about 30 seconds
     */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /** Starts a broker with some of its settings overridden, e.g. {@code auto.create.topics.enable=false}. */
    public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
        int brokerPort = FreePorts.next();
        return start(HOST, brokerPort, freePortOtherThan(brokerPort), overrides);
    }

    /**
     * Starts a broker on the given address and ports, e.g. a private address in a network namespace of its own
     * (the image tests' "broker" node).
     */
    public static EmbeddedKafkaBroker start(String host, int brokerPort, int controllerPort,
            Map<String, String> overrides) {
        quietBrokerLogging();
        File logDir = createTempDir("embedded-kafka-");
        Properties props = brokerProperties(host, logDir, brokerPort, controllerPort);
        props.putAll(overrides);
        KafkaRaftServer server = null;
        try {
            format(logDir);
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(logDir, host + ":" + brokerPort, props, server);
            broker.awaitReady();
            return broker;
        } catch (RuntimeException | Error e) {
            try {
                shutDownQuietly(server, logDir);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Starts a broker that also has a {@code SASL_SSL} listener: SCRAM-SHA-512 over TLS, with a server certificate
     * signed by a CA made for this broker, and the StandardAuthorizer, so that a client on that listener may do only
     * what its ACLs allow ({@link #createScramUser}, {@link #grant}). The PLAINTEXT listener of
     * {@link #bootstrapServers()} stays, for the controller, the broker itself and the test's own clients: its
     * principal, {@code User:ANONYMOUS}, is a super user, as is {@code User:admin}.
     */
    public static EmbeddedKafkaBroker startWithSaslSsl() {
        int plainPort = FreePorts.next();
        int saslSslPort = freePortOtherThan(plainPort);
        int controllerPort = freePortOtherThan(saslSslPort);
        File certificateDir = createTempDir("embedded-kafka-tls-");
        try {
            SaslSslListener listener = SaslSslListener.create(certificateDir.toPath(), HOST);
            EmbeddedKafkaBroker broker = start(HOST, plainPort, controllerPort,
                    listener.brokerSettings(HOST, plainPort, saslSslPort, controllerPort, CONTROLLER_LISTENER));
            broker.saslSsl = listener;
            broker.saslSslBootstrapServers = HOST + ":" + saslSslPort;
            broker.certificateDir = certificateDir;
            return broker;
        } catch (RuntimeException | Error e) {
            deleteQuietly(certificateDir);
            throw e;
        }
    }

    /** The {@code bootstrap.servers} of the SASL_SSL listener; only for a broker from {@link #startWithSaslSsl()}. */
    public String saslSslBootstrapServers() {
        return requireSaslSsl().saslSslBootstrapServers;
    }

    /** The PEM file of the CA that signed the SASL_SSL listener's certificate: what its clients trust. */
    public Path caCertificate() {
        return requireSaslSsl().saslSsl.caCertificate();
    }

    /** The settings of a client of the SASL_SSL listener that logs in as {@code user}. */
    public Map<String, Object> saslSslClientSettings(String user, String password) {
        return requireSaslSsl().saslSsl.clientSettings(saslSslBootstrapServers, user, password);
    }

    /** The {@code sasl.jaas.config} value of a SCRAM login as {@code user}. */
    public static String scramJaasConfig(String user, String password) {
        return SaslSslListener.jaasConfig(user, password);
    }

    /** Creates (or changes) a SCRAM-SHA-512 user of the SASL_SSL listener and waits until the broker knows it. */
    public void createScramUser(String user, String password) {
        requireSaslSsl();
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Awaitility.await("SCRAM user " + user + " known").atMost(ADMIN_TIMEOUT)
                    .pollInterval(Duration.ofMillis(50)).until(() -> admin.describeUserScramCredentials(List.of(user))
                            .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).containsKey(user));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating user " + user, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create SCRAM user " + user, e);
        }
    }

    /** Allows {@code User:<user>} these operations, and waits until the broker's authorizer has them. */
    public void grant(String user, List<KafkaAcl> acls) {
        requireSaslSsl();
        List<AclBinding> bindings = acls.stream().map(acl -> acl.bindingFor(user)).collect(Collectors.toList());
        try (Admin admin = admin()) {
            admin.createAcls(bindings).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Awaitility.await("ACLs of " + user + " in force").atMost(ADMIN_TIMEOUT)
                    .pollInterval(Duration.ofMillis(50)).until(() -> admin.describeAcls(AclBindingFilter.ANY).values()
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).containsAll(bindings));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while granting " + acls + " to " + user, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot grant " + acls + " to " + user, e);
        }
    }

    private EmbeddedKafkaBroker requireSaslSsl() {
        if (saslSsl == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener; start it with startWithSaslSsl()");
        }
        return this;
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates the given topics with replication factor 1 and waits for the creation to complete.
     * Topics that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = Arrays.stream(names)
                .map(name -> new NewTopic(name, partitions, (short) 1))
                .collect(Collectors.toList());
        try (Admin admin = admin()) {
            CreateTopicsResult result = admin.createTopics(topics);
            for (String name : names) {
                awaitCreated(result, name);
            }
        }
    }

    /** A producer of string keys and byte values to this broker, for tests that write records themselves. */
    public KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    /** Changes one setting of a topic, e.g. {@code min.insync.replicas}, and waits until the broker applied it. */
    public void setTopicConfig(String topic, String name, String value) {
        setConfig(new ConfigResource(ConfigResource.Type.TOPIC, topic), name, value);
    }

    /**
     * Changes one setting of a group, e.g. a share group's {@code share.record.lock.duration.ms}, and waits until the
     * broker applied it. The group need not exist yet.
     */
    public void setGroupConfig(String group, String name, String value) {
        setConfig(new ConfigResource(ConfigResource.Type.GROUP, group), name, value);
    }

    private void setConfig(ConfigResource resource, String name, String value) {
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                    AlterConfigOp.OpType.SET)))).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring " + resource, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot set " + name + " of " + resource, e);
        }
    }

    /** Stops the broker as an outage would, keeping its data and ports; {@link #restart()} brings it back. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts the stopped broker again on the same ports with the same data, and waits until it answers. */
    public synchronized void restart() {
        if (server == null) {
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            awaitReady();
        }
    }

    /** Shuts the broker down, waits for it to stop and deletes its log directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            shutDownQuietly(server, logDir);
        } finally {
            if (certificateDir != null) {
                deleteQuietly(certificateDir);
            }
        }
    }

    private void awaitReady() {
        try (Admin admin = admin()) {
            Awaitility.await("Kafka broker answers").atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> answersDescribeCluster(admin, 2_000));
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("Kafka broker did not start within " + STARTUP_TIMEOUT, e);
        }
    }

    private static boolean answersDescribeCluster(Admin admin, long timeoutMs) {
        try {
            return !admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }


    private static void awaitCreated(CreateTopicsResult result, String name) {
        try {
            result.values().get(name).get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topic " + name, e);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()));
    }

    private static Properties brokerProperties(String host, File logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", logDir.getAbsolutePath());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "1");
        // Share groups: members learn of their assignment at each heartbeat; 1 s instead of 5 s makes a share consumer
        // receive its first records within a second or two. Locks down to 1 s let tests outlive one quickly.
        p.put("group.share.min.heartbeat.interval.ms", "1000");
        p.put("group.share.heartbeat.interval.ms", "1000");
        p.put("group.share.min.record.lock.duration.ms", "1000");
        return p;
    }

    private static synchronized void quietBrokerLogging() {
        if (!QUIETED_LOGGERS.isEmpty()) {
            return;
        }
        LogContext context = LogContext.getLogContext();
        for (String category : BROKER_LOG_CATEGORIES) {
            Logger logger = context.getLogger(category);
            logger.setLevel(Level.WARNING);
            QUIETED_LOGGERS.add(logger);
        }
        Logger configLogger = context.getLogger("org.apache.kafka.common.config.AbstractConfig");
        configLogger.setFilter(r -> r.getMessage() == null || !r.getMessage().startsWith("KafkaConfig values:"));
        QUIETED_LOGGERS.add(configLogger);
    }

    private static void format(File logDir) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(NODE_ID)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .addDirectory(logDir.getAbsolutePath())
                    .setMetadataLogDirectory(logDir.getAbsolutePath())
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format Kafka log directory " + logDir, e);
        }
    }

    private static void shutDownQuietly(KafkaRaftServer server, File logDir) {
        try {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
        } finally {
            deleteQuietly(logDir);
        }
    }

    private static void deleteQuietly(File dir) {
        try {
            Utils.delete(dir);
        } catch (IOException e) {
            dir.deleteOnExit();
        }
    }

    private static File createTempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toFile();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePortOtherThan(int taken) {
        int port = FreePorts.next();
        while (port == taken) {
            port = FreePorts.next();
        }
        return port;
    }

}
