package io.mepsidecar.injector;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Small helpers shared by the injector's HTTP handlers. */
final class HttpExchanges {

    /** How much of a body that is too large is still read, to answer it; beyond that the connection is closed. */
    static final long DRAIN_BYTES = 16L * 1024 * 1024;

    private HttpExchanges() {
    }

    /** The body is larger than allowed. */
    static final class TooLargeException extends IOException {

        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("the body is larger than " + limit + " bytes");
        }
    }

    /**
     * Reads the whole body, but keeps no more than {@code limit} bytes. A larger body is read to its end and dropped
     * (up to {@value #DRAIN_BYTES} more bytes), so that its sender gets the 413 instead of a reset connection.
     */
    static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            String declared = exchange.getRequestHeaders().getFirst("Content-Length");
            if (declared != null && parseLength(declared) > limit) {
                drain(in);
                throw new TooLargeException(limit);
            }
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                drain(in);
                throw new TooLargeException(limit);
            }
            return body;
        }
    }

    private static void drain(InputStream in) throws IOException {
        long left = DRAIN_BYTES;
        byte[] buffer = new byte[64 * 1024];
        for (int read = 0; left > 0 && read >= 0; left -= Math.max(read, 0)) {
            read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        }
    }

    static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static long parseLength(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
