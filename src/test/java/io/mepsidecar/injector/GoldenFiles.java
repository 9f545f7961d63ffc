package io.mepsidecar.injector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files under {@code src/test/resources/injector}. With {@code -Dinjector.golden.update=true} a test writes the
 * expected files from what the code produces (review the diff before committing); otherwise it compares.
 */
final class GoldenFiles {

    static final Path ROOT = Path.of(System.getProperty("basedir", "."), "src", "test", "resources", "injector");
    static final boolean UPDATE = Boolean.getBoolean("injector.golden.update");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GoldenFiles() {
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, JsonNode json) {
        try {
            Files.writeString(file, JSON.writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InjectorConfig config(Path caseDir) {
        Path own = caseDir.resolve("config.yaml");
        return InjectorConfigReader.read(read(Files.exists(own) ? own : ROOT.resolve("config.yaml")));
    }
}
