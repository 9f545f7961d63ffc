package io.mepsidecar.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The sidecar's image run as a Kubernetes pod runs it: unpacked from the OCI layout ({@code umoci unpack}), read-only
 * root, a tmpfs at {@code /tmp} (the pod's emptyDir), the contract mounted read-only at {@code /etc/mep}, user 65532,
 * settings by env, in a given network namespace; started detached with {@code runc run -d}.
 */
final class RuncContainer implements AutoCloseable {

    static final String CONTRACT_DIR = "/etc/mep";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final Path bundle;
    private final Path log;

    private RuncContainer(String id, Path bundle, Path log) {
        this.id = id;
        this.bundle = bundle;
        this.log = log;
    }

    static Builder builder(String name) {
        return new Builder(name);
    }

    String id() {
        return id;
    }

    Path log() {
        return log;
    }

    /** Everything the container printed so far. */
    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The container's status as runc reports it ({@code running}, {@code stopped}). */
    String status() {
        Commands.Result state = Commands.run("runc", "state", id);
        return state.ok() ? readJson(state.output()).path("status").asText() : "gone";
    }

    /** The host's id of the container's first process (the JVM). */
    long pid() {
        return readJson(Commands.check("runc", "state", id)).path("pid").asLong();
    }

    /** Runs a command inside the running container as its user, as a Kubernetes exec hook does. */
    Commands.Result exec(String... command) {
        List<String> full = new ArrayList<>(List.of("runc", "exec", "--user", "65532:65532", id));
        full.addAll(List.of(command));
        return Commands.run(full);
    }

    /** Stops and deletes the container, then its bundle. Safe to call when it never started. */
    @Override
    public void close() {
        Commands.run("runc", "delete", "--force", id);
        deleteRecursively(bundle);
    }

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Builder {

        private final String name;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, Path> mounts = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();
        private Path contract;
        private Path networkNamespace;

        private Builder(String name) {
            this.name = name;
        }

        Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** The contract file, mounted read-only at {@code /etc/mep/contract.yaml} and named by {@code MEP_CONTRACT}. */
        Builder contract(Path file) {
            this.contract = file.toAbsolutePath();
            return env("MEP_CONTRACT", CONTRACT_DIR + "/contract.yaml");
        }

        /** A host directory mounted read-only at {@code destination}. */
        Builder mount(Path directory, String destination) {
            mounts.put(destination, directory.toAbsolutePath());
            return this;
        }

        /** Arguments after the image's entrypoint (it has no CMD), e.g. {@code injector}. */
        Builder args(String... arguments) {
            args.addAll(List.of(arguments));
            return this;
        }

        Builder networkNamespace(Path path) {
            this.networkNamespace = path;
            return this;
        }

        /** Unpacks the image, writes the bundle's {@code config.json} and starts the container detached. */
        RuncContainer start() {
            String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
            Path work = ImageUnderTest.workDirectory().resolve(id);
            Path bundle = work.resolve("bundle");
            RuncContainer container = new RuncContainer(id, bundle, work.resolve(id + ".log"));
            try {
                Path contractDir = null;
                if (contract != null) {
                    contractDir = Files.createDirectories(work.resolve("contract"));
                    Files.copy(contract, contractDir.resolve("contract.yaml"));
                }
                Commands.check("umoci", "unpack", "--image", ImageUnderTest.ociReference(), bundle.toString());
                configure(bundle.resolve("config.json"), contractDir);
                Process runc = Commands.start(List.of("runc", "run", "--detach", "--bundle", bundle.toString(), id),
                        container.log);
                if (runc.waitFor() != 0) {
                    throw new IllegalStateException("runc run " + id + " failed: " + container.output());
                }
                return container;
            } catch (IOException e) {
                container.close();
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                container.close();
                throw new IllegalStateException(e);
            } catch (RuntimeException e) {
                container.close();
                throw e;
            }
        }

        private void configure(Path configJson, Path contractDir) throws IOException {
            ObjectNode config = (ObjectNode) JSON.readTree(configJson.toFile());
            ((ObjectNode) config.get("root")).put("readonly", true);
            ObjectNode process = (ObjectNode) config.get("process");
            process.put("terminal", false);
            process.putObject("user").put("uid", 65532).put("gid", 65532);
            ArrayNode processEnv = (ArrayNode) process.get("env");
            env.forEach((key, value) -> processEnv.add(key + "=" + value));
            args.forEach(((ArrayNode) process.get("args"))::add);
            ArrayNode mounts = (ArrayNode) config.get("mounts");
            mounts.addObject().put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs")
                    .putArray("options").add("nosuid").add("nodev").add("mode=1777").add("size=64m");
            if (contractDir != null) {
                this.mounts.put(CONTRACT_DIR, contractDir);
            }
            this.mounts.forEach((destination, source) -> mounts.addObject().put("destination", destination)
                    .put("type", "bind").put("source", source.toString())
                    .putArray("options").add("rbind").add("ro"));
            ObjectNode linux = (ObjectNode) config.get("linux");
            // the chart's limit for the sidecar container: the JVM's heap flags must fit it
            linux.with("resources").putObject("memory").put("limit", 256L * 1024 * 1024);
            if (networkNamespace != null) {
                for (JsonNode namespace : linux.get("namespaces")) {
                    if ("network".equals(namespace.path("type").asText())) {
                        ((ObjectNode) namespace).put("path", networkNamespace.toString());
                    }
                }
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(configJson.toFile(), config);
        }
    }
}
