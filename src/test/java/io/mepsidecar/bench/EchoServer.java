package io.mepsidecar.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.util.concurrent.TimeUnit;

/**
 * The benchmark's serving app: {@code POST /bench-echo} answers the body and content type at once; {@code POST
 * /bench-hold} never answers (for pending-call memory). Vert.x, so the app is never the bottleneck.
 */
final class EchoServer implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer server;

    private EchoServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    static EchoServer start(Vertx vertx) throws Exception {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> {
                    if (request.path().equals("/bench-hold")) {
                        return;
                    }
                    request.body().onSuccess(body -> {
                        String contentType = request.getHeader("Content-Type");
                        if (contentType != null) {
                            request.response().putHeader("Content-Type", contentType);
                        }
                        request.response().end(body);
                    });
                });
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new EchoServer(vertx, server);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    Vertx vertx() {
        return vertx;
    }
}
