package io.mepsidecar.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A stand-in for an OpenTelemetry collector on 127.0.0.1: takes OTLP/HTTP protobuf exports at {@code /v1/traces},
 * answers each 200 with an empty {@code application/x-protobuf} body (an empty ExportTraceServiceResponse), and keeps
 * the bodies as they came. {@link #spans()} reads the few fields of each span a test asks about straight from the
 * protobuf wire format, since no OTLP message classes are on the test class path.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** The span fields a test looks at; ids in lower-case hex, {@code parentSpanId} empty for a root span. */
    public record ExportedSpan(String traceId, String spanId, String parentSpanId, String name, int kind) {

        /** OTLP {@code SPAN_KIND_PRODUCER}. */
        public static final int PRODUCER = 4;
        /** OTLP {@code SPAN_KIND_CONSUMER}. */
        public static final int CONSUMER = 5;
    }

    private final HttpServer server;
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    /** A receiver on a free port of 127.0.0.1. */
    public static OtlpReceiver start() {
        return start(0, span -> {
        });
    }

    /**
     * A receiver on 127.0.0.1:{@code port} (0: a free one) that also hands each span of an export to {@code onSpan},
     * on the server's thread, before it answers the export.
     */
    public static OtlpReceiver start(int port, Consumer<ExportedSpan> onSpan) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/v1/traces", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                receiver.bodies.add(body);
                try {
                    decode(body).forEach(onSpan);
                } finally { // answered whatever the callback does: the exporter would send the same body again
                    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                }
            });
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the OTLP receiver", e);
        }
    }

    /** The traces endpoint, for {@code MEP_TRACING_OTLP_ENDPOINT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    /** True when some export so far holds these bytes (an id given in hex), as they are on the wire. */
    public boolean exported(String hex) {
        byte[] wanted = HexFormat.of().parseHex(hex);
        return bodies.stream().anyMatch(body -> indexOf(body, wanted) >= 0);
    }

    /** Every span exported so far. */
    public List<ExportedSpan> spans() {
        return bodies.stream().flatMap(body -> decode(body).stream()).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The spans of one export (an ExportTraceServiceRequest). */
    private static List<ExportedSpan> decode(byte[] body) {
        List<ExportedSpan> spans = new ArrayList<>();
        // ExportTraceServiceRequest.resource_spans(1) > ResourceSpans.scope_spans(2) > ScopeSpans.spans(2)
        for (Protobuf resourceSpans : new Protobuf(body).messages(1)) {
            for (Protobuf scopeSpans : resourceSpans.messages(2)) {
                for (Protobuf span : scopeSpans.messages(2)) {
                    spans.add(new ExportedSpan(span.hex(1), span.hex(2), span.hex(4), span.text(5),
                            (int) span.varint(6)));
                }
            }
        }
        return spans;
    }

    private static int indexOf(byte[] body, byte[] wanted) {
        outer:
        for (int i = 0; i + wanted.length <= body.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (body[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The fields of one protobuf message, read from its wire format (only what the spans above need). */
    private static final class Protobuf {

        private record Field(int number, long varint, byte[] bytes) {
        }

        private final List<Field> fields = new ArrayList<>();

        Protobuf(byte[] message) {
            int[] at = {0};
            while (at[0] < message.length) {
                long tag = readVarint(message, at);
                int number = (int) (tag >>> 3);
                switch ((int) (tag & 7)) {
                    case 0 -> fields.add(new Field(number, readVarint(message, at), null));
                    case 1 -> at[0] += 8;
                    case 2 -> {
                        int length = (int) readVarint(message, at);
                        byte[] bytes = java.util.Arrays.copyOfRange(message, at[0], at[0] + length);
                        at[0] += length;
                        fields.add(new Field(number, 0, bytes));
                    }
                    case 5 -> at[0] += 4;
                    default -> throw new IllegalArgumentException("wire type " + (tag & 7) + " not expected");
                }
            }
        }

        List<Protobuf> messages(int number) {
            return fields.stream().filter(f -> f.number == number && f.bytes != null)
                    .map(f -> new Protobuf(f.bytes)).toList();
        }

        String hex(int number) {
            return fields.stream().filter(f -> f.number == number && f.bytes != null).findFirst()
                    .map(f -> HexFormat.of().formatHex(f.bytes)).orElse("");
        }

        String text(int number) {
            return fields.stream().filter(f -> f.number == number && f.bytes != null).findFirst()
                    .map(f -> new String(f.bytes, java.nio.charset.StandardCharsets.UTF_8)).orElse("");
        }

        long varint(int number) {
            return fields.stream().filter(f -> f.number == number && f.bytes == null).findFirst()
                    .map(Field::varint).orElse(0L);
        }

        private static long readVarint(byte[] message, int[] at) {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = message[at[0]++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }
    }
}
