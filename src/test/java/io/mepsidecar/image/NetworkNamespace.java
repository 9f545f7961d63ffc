package io.mepsidecar.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A network namespace made for a test ({@code ip netns add}), e.g. a pod: its own loopback, and an {@code eth0} with a
 * private address once {@link #attachTo} joined it to a node's bridge. Deleted by {@link #close()}.
 */
final class NetworkNamespace implements AutoCloseable {

    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /** A new namespace {@code <prefix>-<random>} with its loopback up; a leftover of an earlier run never clashes. */
    static NetworkNamespace create(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Commands.check("ip", "netns", "add", name);
        NetworkNamespace namespace = new NetworkNamespace(name);
        Commands.check("ip", "-n", name, "link", "set", "lo", "up");
        return namespace;
    }

    String name() {
        return name;
    }

    /** The path runc joins ({@code linux.namespaces[type=network].path}). */
    Path path() {
        return Path.of("/var/run/netns", name);
    }

    /** Gives this namespace a bridge {@code br0}, as a node that joins pods. */
    void addBridge() {
        Commands.check("ip", "-n", name, "link", "add", "br0", "type", "bridge");
        Commands.check("ip", "-n", name, "link", "set", "br0", "up");
    }

    /**
     * Joins this namespace to the bridge of {@code node} with a veth pair: {@code eth0} here with {@code cidr} (e.g.
     * {@code 10.77.0.2/24}), {@code port} on the node's bridge. Nothing is created outside the two namespaces.
     */
    void attachTo(NetworkNamespace node, String port, String cidr) {
        Commands.check("ip", "-n", node.name, "link", "add", port, "type", "veth", "peer", "name", "eth0",
                "netns", name);
        Commands.check("ip", "-n", node.name, "link", "set", port, "master", "br0", "up");
        Commands.check("ip", "-n", name, "addr", "add", cidr, "dev", "eth0");
        Commands.check("ip", "-n", name, "link", "set", "eth0", "up");
    }

    /** {@code command} as run inside this namespace. */
    List<String> exec(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    /** Starts a class of the test classpath as a JVM of its own inside this namespace. */
    Process startJava(Path log, String mainClass, String... args) {
        List<String> command = new ArrayList<>(exec(Commands.javaExecutable(), "-Xmx384m",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", Commands.testClasspath(), mainClass));
        command.addAll(List.of(args));
        return Commands.start(command, log);
    }

    /** Deletes the namespace; its veth pairs go with it. */
    @Override
    public void close() {
        Commands.run("ip", "netns", "del", name);
    }
}
