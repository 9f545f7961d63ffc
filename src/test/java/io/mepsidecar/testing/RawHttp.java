package io.mepsidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte: requests that a well-behaved client library would refuse to send
 * (control characters, bad escapes, huge header blocks) reach the server as written. A server that does not answer
 * within the timeout is reported as {@link Exchange#answered() not answered} instead of hanging the test.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** What came back: the status line, the headers (lower-case names) and the body. */
    public record Exchange(boolean answered, int status, Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends {@code method target} with the given extra header lines and body; always closes the connection. */
    public static Exchange send(int port, String method, String target, String headerLines, byte[] body,
            Duration timeout) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
        if (!headerLines.isEmpty()) {
            head.append(headerLines.endsWith("\r\n") ? headerLines : headerLines + "\r\n");
        }
        String lower = headerLines.toLowerCase(Locale.ROOT);
        boolean declared = lower.contains("content-length:") || lower.contains("transfer-encoding:");
        if (!declared && (body.length > 0 || method.equals("POST") || method.equals("PUT"))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return read(socket.getInputStream(), method.equals("HEAD"));
        } catch (SocketTimeoutException e) {
            return new Exchange(false, 0, Map.of(), "");
        } catch (IOException e) {
            throw new UncheckedIOException("exchange with 127.0.0.1:" + port + " failed", e);
        }
    }

    public static Exchange send(int port, String method, String target, String headerLines) {
        return send(port, method, target, headerLines, new byte[0], Duration.ofSeconds(5));
    }

    private static Exchange read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        if (statusLine.isEmpty()) {
            return new Exchange(true, 0, Map.of(), ""); // closed without a response
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        if (head || status == 204 || status == 304) {
            return new Exchange(true, status, headers, "");
        }
        String length = headers.get("content-length");
        byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
        return new Exchange(true, status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
