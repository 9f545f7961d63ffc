package io.mepsidecar.image;

import io.mepsidecar.testing.OtlpReceiver;
import io.mepsidecar.testing.OtlpReceiver.ExportedSpan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in OTLP/HTTP collector as a JVM of its own, for a network namespace: {@code NamespacedOtlpReceiver PORT}
 * takes exports at {@code http://127.0.0.1:PORT/v1/traces} ({@link OtlpReceiver}), prints {@link #READY}, then one
 * line per span it receives ({@link #spansIn} reads them back), and runs until it is killed.
 */
public final class NamespacedOtlpReceiver {

    static final String READY = "otlp receiver ready";
    private static final String SPAN = "span ";

    private NamespacedOtlpReceiver() {
    }

    public static void main(String[] args) throws InterruptedException {
        OtlpReceiver receiver = OtlpReceiver.start(Integer.parseInt(args[0]), span -> System.out.println(line(span)));
        Runtime.getRuntime().addShutdownHook(new Thread(receiver::close));
        System.out.println(READY + " on " + receiver.endpoint());
        new CountDownLatch(1).await();
    }

    /** The spans the receiver writing {@code log} printed so far. */
    static List<ExportedSpan> spansIn(Path log) {
        try {
            return Files.readAllLines(log).stream().filter(line -> line.startsWith(SPAN))
                    .map(NamespacedOtlpReceiver::span).flatMap(Optional::stream).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code span <trace id> <span id> <parent span id, or -> <kind> <name>}: the name last, it may hold spaces. */
    private static String line(ExportedSpan span) {
        String parent = span.parentSpanId().isEmpty() ? "-" : span.parentSpanId();
        return SPAN + span.traceId() + " " + span.spanId() + " " + parent + " " + span.kind() + " " + span.name();
    }

    /** The span of a whole line; empty for one still being written (the test reads while the receiver writes). */
    private static Optional<ExportedSpan> span(String line) {
        String[] fields = line.substring(SPAN.length()).split(" ", 5);
        if (fields.length < 5 || !fields[3].matches("[0-9]+")) {
            return Optional.empty();
        }
        String parent = "-".equals(fields[2]) ? "" : fields[2];
        return Optional.of(new ExportedSpan(fields[0], fields[1], parent, fields[4], Integer.parseInt(fields[3])));
    }
}
