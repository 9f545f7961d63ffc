package io.mepsidecar.service;

import io.mepsidecar.app.LocalApp;
import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.contract.Hop;
import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.error.Problem;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.observability.SidecarMetrics;
import io.mepsidecar.service.AppResponse.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Delivers requests to the local app over HTTP, on the app's one client ({@link LocalApp}). Runs on Vert.x event
 * loops. A connection that cannot be made is reported to {@link LocalApp} and answered {@link Delivery#NOT_CONNECTED}
 * (the request is handed back, not answered); a broken exchange becomes a 502 fault, no answer before the deadline a
 * 504 fault.
 */
@ApplicationScoped
public class AppClient {

    private static final Logger LOG = Logger.getLogger(AppClient.class);
    private static final long MAX_CONNECT_TIMEOUT_MS = 5_000;

    @Inject
    Vertx vertx;

    @Inject
    LocalApp app;

    @Inject
    SidecarMetrics metrics;

    /** Always completes normally, and never throws: with the app's answer, or with what kept it from answering. */
    CompletableFuture<AppResponse> deliver(ServedOperation served, AppRequest request) {
        CompletableFuture<AppResponse> answer = new CompletableFuture<>();
        metrics.appConcurrency().incrementAndGet();
        try {
            send(served, request, answer);
        } catch (RuntimeException e) {
            metrics.appConcurrency().decrementAndGet();
            answer.complete(fault(Delivery.BROKEN, e, served, request));
        }
        return answer;
    }

    private void send(ServedOperation served, AppRequest request, CompletableFuture<AppResponse> answer) {
        long remaining = request.millisLeft(Instant.now());
        RequestOptions options = app.request(HttpMethod.POST, served.target().toString())
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
        app.client().request(options).onComplete(connected -> {
            if (connected.failed()) {
                metrics.appConcurrency().decrementAndGet();
                answer.complete(notConnected(connected.cause(), served, request));
                return;
            }
            try {
                exchange(connected.result(), served, request, start, answer);
            } catch (RuntimeException e) { // the answer completes whatever happens: a lost one would leak the slot
                connected.result().reset();
                metrics.appConcurrency().decrementAndGet();
                answer.complete(fault(Delivery.BROKEN, e, served, request));
            }
        });
    }

    private void exchange(HttpClientRequest http, ServedOperation served, AppRequest request, long start,
            CompletableFuture<AppResponse> answer) {
        // The deadline is absolute: an app that trickles bytes is cut off too, not only a silent one. It is armed
        // once connected, so the wait for a pooled connection does not stretch it.
        long timer = vertx.setTimer(request.millisLeft(Instant.now()),
                id -> http.reset(0, new TimeoutException("deadline")));
        if (request.hops() != null) {
            request.hops().stamp(Hop.APP_CALL);
        }
        http.send(Buffer.buffer(request.body()))
                .compose(response -> read(response, start, request.hops()))
                .onComplete(result -> {
                    vertx.cancelTimer(timer);
                    metrics.appConcurrency().decrementAndGet();
                    answer.complete(result.succeeded() ? answered(result.result(), served)
                            : fault(timedOut(result.cause(), request) ? Delivery.TIMED_OUT : Delivery.BROKEN,
                                    result.cause(), served, request));
                });
    }

    private Future<AppResponse> read(HttpClientResponse response, long start, HopStamps hops) {
        return response.body().map(body -> {
            if (hops != null) {
                hops.stamp(Hop.APP_ANSWER);
            }
            return new AppResponse(response.statusCode(), response.getHeader("Content-Type"), body.getBytes(),
                    Delivery.ANSWERED, Duration.ofNanos(System.nanoTime() - start));
        });
    }

    private AppResponse answered(AppResponse response, ServedOperation served) {
        boolean deferred = served.operation().expectsReply() && response.status() == 202;
        if (!deferred) { // a deferred reply's app time ends at its PUT (DeferredReplies)
            metrics.appTime(served.operation().name(), response.appDuration());
        }
        return response;
    }

    /**
     * No connection: the app is down (or restarting), unless the deadline ran out while connecting. Either way the
     * app never saw the request.
     */
    private AppResponse notConnected(Throwable error, ServedOperation served, AppRequest request) {
        if (timedOut(error, request)) {
            return fault(Delivery.TIMED_OUT, error, served, request);
        }
        app.refusedConnection(error); // refused, timed out, unknown host, TLS: the app cannot be used as configured
        LOG.debugf("request %s not delivered to %s: %s", request.correlationId(), served.target(), error.toString());
        return new AppResponse(0, null, new byte[0], Delivery.NOT_CONNECTED, null);
    }

    private static boolean timedOut(Throwable error, AppRequest request) {
        return request.isExpired(Instant.now()) || error instanceof TimeoutException
                || error.getCause() instanceof TimeoutException;
    }

    private static AppResponse fault(Delivery delivery, Throwable error, ServedOperation served,
            AppRequest request) {
        boolean timedOut = delivery == Delivery.TIMED_OUT;
        LOG.warnf("request %s to %s failed: %s", request.correlationId(), served.target(), error.toString());
        // The problem travels to the calling app: it names what happened, not where (the log has the URL and cause)
        Problem problem = Problem.of(timedOut ? ProblemType.APP_TIMEOUT : ProblemType.APP_UNREACHABLE,
                "the serving app " + (timedOut ? "did not answer before the deadline" : "broke off the exchange"),
                request.correlationId());
        return new AppResponse(problem.status(), Problem.MEDIA_TYPE, problem.toJson(), delivery, null);
    }
}
