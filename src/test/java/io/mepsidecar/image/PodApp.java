package io.mepsidecar.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The app of the test pod: {@code PodApp PORT} serves {@code POST /quote} on 127.0.0.1 and answers
 * {@code {"quote":<request body>,"servedBy":"pod-app"}}, so a test can tell its answer came from this app.
 */
public final class PodApp {

    static final String READY = "pod app ready";

    private PodApp() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/quote", PodApp::quote);
        server.start();
        System.out.println(READY + " on 127.0.0.1:" + port);
    }

    private static void quote(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String request = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] body = ("{\"quote\":" + request + ",\"servedBy\":\"pod-app\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
