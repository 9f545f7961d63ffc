package io.mepsidecar.bench;

import io.mepsidecar.contract.HopStamps;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP calls with a keep-alive pool as large as the concurrency. Synchronous: one POST whose 200 is the reply.
 * Asynchronous: POST with {@code Prefer: respond-async} (202 + {@code Location} once published), then long-poll the
 * {@code Location} with {@code Prefer: wait=10} until the result is there.
 */
final class HttpTarget implements Target, AutoCloseable {

    private final HttpClient client;
    private final URI base;
    private final String path;
    private final boolean async;
    private final Hops hops;

    /** {@code hops}: where the {@code Mep-Hops} header of each synchronous answer goes; null to ignore it. */
    HttpTarget(Vertx vertx, String baseUrl, String path, int concurrency, boolean async, Hops hops) {
        this.hops = hops;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false),
                new PoolOptions().setHttp1MaxSize(concurrency + 8));
        this.base = URI.create(baseUrl);
        this.path = path;
        this.async = async;
    }

    @Override
    public CompletableFuture<Void> call(byte[] payload) {
        RequestOptions post = options(HttpMethod.POST, path).putHeader("Content-Type", "application/octet-stream");
        if (async) {
            post.putHeader("Prefer", "respond-async");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        long sent = hops == null ? 0 : HopStamps.nowMicros();
        client.request(post).compose(request -> request.send(Buffer.buffer(payload)))
                .onComplete(result -> handle(result.succeeded() ? result.result() : null, result.cause(), done,
                        sent));
        return done;
    }

    private void handle(HttpClientResponse response, Throwable error, CompletableFuture<Void> done, long sent) {
        if (response == null) {
            done.completeExceptionally(error);
            return;
        }
        response.body().onComplete(body -> {
            if (response.statusCode() == 200) {
                if (hops != null && sent != 0) {
                    hops.record(response.getHeader("Mep-Hops"), sent, HopStamps.nowMicros());
                }
                done.complete(null);
            } else if (async && response.statusCode() == 202 && response.getHeader("Location") != null) {
                poll(response.getHeader("Location"), done);
            } else {
                done.completeExceptionally(new IllegalStateException("status " + response.statusCode() + " to "
                        + response.request().getMethod() + " " + response.request().getURI() + " (call "
                        + response.getHeader("Mep-Correlation-Id") + ")"));
            }
        });
    }

    private void poll(String location, CompletableFuture<Void> done) {
        client.request(options(HttpMethod.GET, location).putHeader("Prefer", "wait=10"))
                .compose(request -> request.send())
                .onComplete(result -> handle(result.succeeded() ? result.result() : null, result.cause(), done, 0));
    }

    private RequestOptions options(HttpMethod method, String uri) {
        return new RequestOptions().setMethod(method).setHost(base.getHost()).setPort(base.getPort()).setURI(uri);
    }

    @Override
    public void close() {
        client.close();
    }
}
