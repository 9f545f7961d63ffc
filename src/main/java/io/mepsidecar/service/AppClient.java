package io.mepsidecar.service;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.error.Problem;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.kafka.ShutdownOrder;
import io.mepsidecar.observability.SidecarMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Delivers requests to the local app over HTTP. Any failure to get an answer becomes a fault the caller sees:
 * 502 when the app cannot be reached, 504 when it does not answer before the deadline.
 */
@ApplicationScoped
public class AppClient {

    private static final Logger LOG = Logger.getLogger(AppClient.class);
    private static final long MAX_CONNECT_TIMEOUT_MS = 5_000;

    @Inject
    Vertx vertx;

    @Inject
    SidecarConfig config;

    @Inject
    SidecarMetrics metrics;

    private HttpClient client;

    @PostConstruct
    void start() {
        int connections = config.service().maxConcurrency();
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    /**
     * Always completes normally, and never throws: with the app's answer, or with a 502/504 fault in its place.
     */
    CompletableFuture<AppResponse> deliver(ServedOperation served, AppRequest request) {
        CompletableFuture<AppResponse> answer = new CompletableFuture<>();
        metrics.appConcurrency().incrementAndGet();
        try {
            send(served, request, answer);
        } catch (RuntimeException e) {
            metrics.appConcurrency().decrementAndGet();
            answer.complete(fault(e, served, request));
        }
        return answer;
    }

    private void send(ServedOperation served, AppRequest request, CompletableFuture<AppResponse> answer) {
        long remaining = request.millisLeft(Instant.now());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(served.target().toString())
                .setConnectTimeout(Math.min(remaining, MAX_CONNECT_TIMEOUT_MS))
                .putHeader(AppHeaders.OPERATION, served.operation().name())
                .putHeader(AppHeaders.CORRELATION_ID, request.correlationId())
                .putHeader(AppHeaders.DEADLINE, request.deadline().toString());
        if (request.contentType() != null) {
            options.putHeader("Content-Type", request.contentType());
        }
        if (request.caller() != null) {
            options.putHeader(AppHeaders.CALLER, request.caller());
        }
        long start = System.nanoTime();
        client.request(options)
                .compose(http -> {
                    // The deadline is absolute: an app that trickles bytes is cut off too, not only a silent one.
                    long timer = vertx.setTimer(remaining, id -> http.reset(0, new TimeoutException("deadline")));
                    return http.send(Buffer.buffer(request.body()))
                            .compose(response -> read(response, start))
                            .onComplete(done -> vertx.cancelTimer(timer));
                })
                .onComplete(result -> {
                    metrics.appConcurrency().decrementAndGet();
                    answer.complete(result.succeeded() ? answered(result.result(), served)
                            : fault(result.cause(), served, request));
                });
    }

    private io.vertx.core.Future<AppResponse> read(HttpClientResponse response, long start) {
        return response.body().map(body -> new AppResponse(response.statusCode(),
                response.getHeader("Content-Type"), body.getBytes(), true,
                Duration.ofNanos(System.nanoTime() - start)));
    }

    private AppResponse answered(AppResponse response, ServedOperation served) {
        boolean deferred = served.operation().expectsReply() && response.status() == 202;
        if (!deferred) { // a deferred reply's app time ends at its PUT (DeferredReplies)
            metrics.appTime(served.operation().name(), response.appDuration());
        }
        return response;
    }

    private static AppResponse fault(Throwable error, ServedOperation served, AppRequest request) {
        boolean timedOut = request.isExpired(Instant.now()) || error instanceof TimeoutException
                || error.getCause() instanceof TimeoutException;
        ProblemType type = timedOut ? ProblemType.APP_TIMEOUT : ProblemType.APP_UNREACHABLE;
        LOG.warnf("request %s to %s failed: %s", request.correlationId(), served.target(), error.toString());
        Problem problem = Problem.of(type, "the app at " + served.target() + " "
                + (timedOut ? "did not answer before the deadline" : "could not be reached: " + error.getMessage()),
                request.correlationId());
        return new AppResponse(problem.status(), Problem.MEDIA_TYPE, problem.toJson(), false, null);
    }

    void stop(@Observes @Priority(ShutdownOrder.APP_CLIENT) ShutdownEvent event) {
        if (client != null) {
            client.close();
        }
    }
}
