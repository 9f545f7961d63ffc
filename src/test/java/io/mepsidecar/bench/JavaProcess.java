package io.mepsidecar.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One part of the benchmark in a JVM of its own ({@link BenchProcess} with a role), as it would be in a deployment:
 * the broker, the echo app, the baseline's server, the load generator. It speaks a line protocol on its standard
 * streams: lines it prints starting with {@value BenchProcess#PREFIX} are answers, anything else (its logs) goes to
 * its log file; it reads commands from its standard input and stops when that closes.
 */
final class JavaProcess implements AutoCloseable {

    private static final String END = "\u0000end";

    private final String role;
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path log;
    private String ready;

    private JavaProcess(String role, Process process, Path log) {
        this.role = role;
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                true);
        Thread reader = new Thread(this::read, "bench-" + role + "-out");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code role} with the benchmark's own class path and waits for its {@code ready} line, whose rest it
     * returns through {@link #ready()}.
     */
    static JavaProcess start(String role, Path logDir, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchProcess.class.getName());
        command.add(role);
        command.addAll(List.of(args));
        try {
            Path log = Files.createDirectories(logDir).resolve(role + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
                    log.toFile()));
            return new JavaProcess(role, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the benchmark's " + role, e);
        }
    }

    /** What the process said when it was ready (its address, say); waits for it up to a minute. */
    synchronized String ready() {
        if (ready == null) {
            String line = answer(Duration.ofMinutes(1));
            if (!line.startsWith("ready")) {
                throw new IllegalStateException("the benchmark's " + role + " answered '" + line + "' instead of"
                        + " ready; see " + log.toAbsolutePath());
            }
            ready = line.substring("ready".length()).trim();
        }
        return ready;
    }

    /** Sends one command and waits for its one-line answer. */
    String call(String command, Duration timeout) {
        ready();
        commands.println(command);
        String answer = answer(timeout);
        if (answer.startsWith("error")) {
            throw new IllegalStateException("the benchmark's " + role + " failed '" + command + "': " + answer
                    + "; see " + log.toAbsolutePath());
        }
        return answer;
    }

    long pid() {
        return process.pid();
    }

    private String answer(Duration timeout) {
        try {
            String line = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null || END.equals(line)) {
                throw new IllegalStateException("the benchmark's " + role + (line == null ? " did not answer within "
                        + timeout : " exited") + "; see " + log.toAbsolutePath());
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the benchmark's " + role, e);
        }
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(BenchProcess.PREFIX)) {
                    answers.add(line.substring(BenchProcess.PREFIX.length()));
                } else {
                    file.write(line);
                    file.write('\n');
                    file.flush();
                }
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            answers.add(END);
        }
    }

    /** Closes its standard input (it stops on its own), then makes sure it is gone. */
    @Override
    public void close() throws InterruptedException {
        commands.close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
