package io.mepsidecar.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs src/test/k8s-schema/validate.mjs (npm packages kubernetes-models and yaml: the API's types, enums and
 * required fields) on manifest files. The packages are installed once with `npm ci` into target/k8s-schema.
 */
final class NodeSchemaValidator {

    private static final Path SOURCE = Manifests.BASE_DIR.resolve("src/test/k8s-schema");
    private static final Path WORK = Manifests.BASE_DIR.resolve("target/k8s-schema");

    record Result(int exitCode, List<String> problems, String log) {
    }

    private NodeSchemaValidator() {
    }

    static Result validate(List<Path> files) {
        install();
        List<String> command = new ArrayList<>(List.of("node", WORK.resolve("validate.mjs").toString()));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        Output output = run(command, WORK, 120);
        return new Result(output.exitCode, output.stdout.lines().filter(l -> !l.isBlank()).toList(), output.stderr);
    }

    /** Writes manifests to target/k8s-schema/manifests/NAME, for validate(). */
    static Path write(String name, String yaml) {
        try {
            Path file = WORK.resolve("manifests").resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized void install() {
        try {
            Files.createDirectories(WORK);
            Files.copy(SOURCE.resolve("validate.mjs"), WORK.resolve("validate.mjs"), StandardCopyOption.REPLACE_EXISTING);
            String lock = Files.readString(SOURCE.resolve("package-lock.json"));
            Path installedLock = WORK.resolve("node_modules/.installed-package-lock.json");
            if (Files.exists(installedLock) && Files.readString(installedLock).equals(lock)) {
                return;
            }
            Files.copy(SOURCE.resolve("package.json"), WORK.resolve("package.json"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(WORK.resolve("package-lock.json"), lock);
            Output output = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), WORK, 300);
            if (output.exitCode != 0) {
                throw new IllegalStateException("`npm ci` in " + WORK + " failed (exit " + output.exitCode + "). The"
                        + " manifest schema test needs the npm registry once to install kubernetes-models and yaml;"
                        + " is it reachable?\n" + output.stdout + output.stderr);
            }
            Files.writeString(installedLock, lock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Output(int exitCode, String stdout, String stderr) {
    }

    private static Output run(List<String> command, Path dir, long timeoutSeconds) {
        try {
            Path stdout = Files.createTempFile(WORK, "out", ".txt");
            Path stderr = Files.createTempFile(WORK, "err", ".txt");
            Process process;
            try {
                process = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + command.get(0) + " (Node.js and npm are needed by the"
                        + " manifest schema test: apt-get install nodejs npm): " + e.getMessage(), e);
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            Output output = new Output(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
            Files.delete(stdout);
            Files.delete(stderr);
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
