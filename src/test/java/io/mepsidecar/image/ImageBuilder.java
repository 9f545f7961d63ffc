package io.mepsidecar.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.Port;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Layers the Quarkus fast-jar ({@code target/quarkus-app}) on the base image of {@code src/main/image/build-base.sh}
 * and writes the sidecar's image as a docker-archive, offline. Run by {@code ./mvnw -Pimage package}; it lives in the
 * test sources so that neither it nor jib-core reaches the production artifact.
 * <p>
 * Arguments: {@code QUARKUS_APP BASE_TAR OUTPUT_TAR IMAGE_REFERENCE VERSION SOURCE_URL}.
 */
public final class ImageBuilder {

    static final String DEPLOYMENTS = "/deployments";
    /** The JVM flags of the entrypoint; docs/image.md says why each is there. */
    public static final List<String> JVM_FLAGS = List.of(
            "-XX:MaxRAMPercentage=50",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.io.tmpdir=/tmp",
            "-Djava.util.logging.manager=org.jboss.logmanager.LogManager");

    private ImageBuilder() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            throw new IllegalArgumentException("usage: ImageBuilder QUARKUS_APP BASE_TAR OUTPUT_TAR IMAGE VERSION SOURCE");
        }
        Path app = Path.of(args[0]);
        Path baseTar = Path.of(args[1]);
        Path output = Path.of(args[2]);
        String reference = args[3];
        String version = args[4];
        String source = args[5];
        Path cache = output.resolveSibling("jib-cache");
        Files.createDirectories(output.getParent());

        JibContainer image = Jib.from(TarImage.at(baseTar))
                .setFileEntriesLayers(dependencies(app), application(app))
                .setEntrypoint(entrypoint())
                .setUser("65532:65532")
                .setWorkingDirectory(AbsoluteUnixPath.get(DEPLOYMENTS))
                .addExposedPort(Port.tcp(7070))
                .addExposedPort(Port.tcp(9000))
                .addLabel("org.opencontainers.image.title", "mep-sidecar")
                .addLabel("org.opencontainers.image.version", version)
                .addLabel("org.opencontainers.image.source", source)
                .setCreationTime(Instant.EPOCH)
                .containerize(Containerizer.to(TarImage.at(output).named(reference))
                        .setOfflineMode(true)
                        .setBaseImageLayersCache(cache.resolve("base"))
                        .setApplicationLayersCache(cache.resolve("application"))
                        .addEventHandler(LogEvent.class, ImageBuilder::log));
        System.out.println("[image] " + reference + " " + image.getDigest() + " -> " + output);
    }

    static List<String> entrypoint() {
        List<String> entrypoint = new ArrayList<>();
        entrypoint.add("/opt/java/bin/java");
        entrypoint.addAll(JVM_FLAGS);
        entrypoint.add("-jar");
        entrypoint.add(DEPLOYMENTS + "/quarkus-run.jar");
        return entrypoint;
    }

    /** {@code lib/}: the dependencies, which change far less often than the application. */
    private static FileEntriesLayer dependencies(Path app) throws IOException {
        return FileEntriesLayer.builder().setName("dependencies")
                .addEntryRecursive(app.resolve("lib"), AbsoluteUnixPath.get(DEPLOYMENTS + "/lib"))
                .build();
    }

    /** The application: Quarkus' generated classes and the sidecar's own jar, and the runner jar. */
    private static FileEntriesLayer application(Path app) throws IOException {
        return FileEntriesLayer.builder().setName("application")
                .addEntryRecursive(app.resolve("quarkus"), AbsoluteUnixPath.get(DEPLOYMENTS + "/quarkus"))
                .addEntryRecursive(app.resolve("app"), AbsoluteUnixPath.get(DEPLOYMENTS + "/app"))
                .addEntry(app.resolve("quarkus-run.jar"), AbsoluteUnixPath.get(DEPLOYMENTS + "/quarkus-run.jar"))
                .build();
    }

    private static void log(LogEvent event) {
        if (event.getLevel() == LogEvent.Level.ERROR || event.getLevel() == LogEvent.Level.WARN) {
            System.err.println("[image] " + event.getLevel() + " " + event.getMessage());
        }
    }
}
