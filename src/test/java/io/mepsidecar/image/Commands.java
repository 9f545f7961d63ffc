package io.mepsidecar.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/** Runs the system tools the image tests drive (ip, umoci, runc, skopeo, curl) and checks they are there. */
final class Commands {

    static final List<String> TOOLS = List.of("ip", "umoci", "runc", "skopeo", "curl");

    private Commands() {
    }

    /** What a command printed (stdout and stderr together) and how it exited. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Fails with one clear message unless the tests can run here: root (network namespaces, runc) and every tool of
     * {@link #TOOLS}; {@code .ci/run} installs them with apt-get.
     */
    static void requireRootAndTools() {
        List<String> problems = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            problems.add("must run as root (network namespaces, runc)");
        }
        for (String tool : TOOLS) {
            if (!onPath(tool)) {
                problems.add("'" + tool + "' not found");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the image tests cannot run: " + String.join("; ", problems)
                    + " (apt-get install -y --no-install-recommends umoci skopeo runc iproute2 curl)");
        }
    }

    static Result run(String... command) {
        return run(List.of(command));
    }

    /** Runs a command to its end (at most 60 s). */
    static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("still running after 60 s: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    /** Runs a command and fails with its output unless it exits with 0. */
    static String check(String... command) {
        Result result = run(command);
        if (!result.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + result.exitCode() + ": "
                    + result.output());
        }
        return result.output();
    }

    /** Starts a long-running command with its output in {@code log}. */
    static Process start(List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /** Kills a process started by {@link #start} and waits for it. */
    static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Waits until a process started by {@link #start} printed {@code text}; fails at once when it exited. */
    static void awaitOutput(Process process, Path log, String text, Duration atMost) {
        Awaitility.await(log.getFileName() + " says '" + text + "'").atMost(atMost)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("exited with " + process.exitValue() + "; see " + log);
                    }
                    return Files.readString(log).contains(text);
                });
    }

    /** The classpath of the tests, for JVMs started from test classes (broker, app). */
    static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
