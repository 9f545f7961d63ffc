package io.mepsidecar.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where {@code ./mvnw -Pimage package} left the image: {@code target/image/oci}, tagged with the project version. */
final class ImageUnderTest {

    private ImageUnderTest() {
    }

    static Path directory() {
        return Path.of(System.getProperty("image.directory", "target/image")).toAbsolutePath();
    }

    /** {@code <dir>:<version>}, as umoci names an image of an OCI layout (skopeo: with {@code oci:} before it). */
    static String ociReference() {
        Path layout = directory().resolve("oci");
        if (!Files.isRegularFile(layout.resolve("index.json"))) {
            throw new IllegalStateException(layout + " holds no OCI image; build it with ./mvnw -Pimage package");
        }
        return layout + ":" + System.getProperty("image.version", "0.1.0-SNAPSHOT");
    }

    /** Bundles, contracts and logs of the tests' containers and JVMs. */
    static Path workDirectory() {
        try {
            return Files.createDirectories(Path.of("target", "image-it").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
