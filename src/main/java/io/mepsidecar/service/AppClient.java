package io.mepsidecar.service;

import io.mepsidecar.app.LocalApp;
import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.contract.Hop;
import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.error.Problem;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.observability.SidecarMetrics;
import io.mepsidecar.service.AppResponse.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Delivers requests to the local app over HTTP, on the app's one client ({@link LocalApp}). Runs on Vert.x event
 * loops. A connection that cannot be made is reported to {@link LocalApp} and answered {@link Delivery#NOT_CONNECTED}
 * (the request is handed back, not answered); a broken exchange becomes a 502 fault, no answer before the deadline a
 * 504 fault. The request carries the record's W3C trace context (or, with the sidecar's own spans, one naming its
 * span); the answer's own, if it has one, is kept for the reply.
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

    /**
     * The most of an answer's body that is read: one byte more than the producer publishes. A longer answer is cut
     * off there (and its connection closed); it fails to publish as too large, like any answer over the limit, so
     * the caller gets a 502 {@code bad-reply} and the request is dead-lettered, with no more than this held.
     */
    private long maxBodyBytes;

    @ConfigProperty(name = "kafka.max.request.size", defaultValue = "1048576")
    long maxRequestSize;

    @PostConstruct
    void readLimits() {
        maxBodyBytes = maxRequestSize + 1;
    }

    /** Always completes normally, and never throws: with the app's answer, or with what kept it from answering. */
    CompletableFuture<AppResponse> deliver(ServedOperation served, AppRequest request) {
        return deliver(served, request, request.trace());
    }

    /**
     * As {@link #deliver(ServedOperation, AppRequest)}, the app's request carrying {@code trace} (possibly null)
     * instead of the record's: the context naming the serving sidecar's span, when it makes its own.
     */
    CompletableFuture<AppResponse> deliver(ServedOperation served, AppRequest request, TraceContext trace) {
        CompletableFuture<AppResponse> answer = new CompletableFuture<>();
        metrics.appConcurrency().incrementAndGet();
        try {
            send(served, request, trace, answer);
        } catch (RuntimeException e) {
            metrics.appConcurrency().decrementAndGet();
            answer.complete(fault(Delivery.BROKEN, e, served, request));
        }
        return answer;
    }

    private void send(ServedOperation served, AppRequest request, TraceContext trace,
            CompletableFuture<AppResponse> answer) {
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
        if (trace != null) { // as the caller sent it (checked when decoded), or naming the sidecar's span
            putIfSet(options, TraceContext.TRACEPARENT, trace.traceparent());
            putIfSet(options, TraceContext.TRACESTATE, trace.tracestate());
            putIfSet(options, TraceContext.BAGGAGE, trace.baggage());
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
                .compose(response -> read(http, response, start, request.hops()))
                .onComplete(result -> {
                    vertx.cancelTimer(timer);
                    metrics.appConcurrency().decrementAndGet();
                    answer.complete(result.succeeded() ? answered(result.result(), served)
                            : fault(timedOut(result.cause(), request) ? Delivery.TIMED_OUT : Delivery.BROKEN,
                                    result.cause(), served, request));
                });
    }

    private Future<AppResponse> read(HttpClientRequest http, HttpClientResponse response, long start,
            HopStamps hops) {
        return bounded(http, response).map(body -> {
            if (hops != null) {
                hops.stamp(Hop.APP_ANSWER);
            }
            return new AppResponse(response.statusCode(), response.getHeader("Content-Type"), body.getBytes(),
                    Delivery.ANSWERED, Duration.ofNanos(System.nanoTime() - start),
                    TraceContext.fromHttp(response.headers()::getAll));
        });
    }

    private static void putIfSet(RequestOptions options, String name, String value) {
        if (value != null) {
            options.putHeader(name, value);
        }
    }

    /** The answer's body, or its first {@link #maxBodyBytes} bytes when it is longer (then the exchange is reset). */
    private Future<Buffer> bounded(HttpClientRequest http, HttpClientResponse response) {
        Promise<Buffer> body = Promise.promise();
        Buffer buffer = Buffer.buffer();
        response.exceptionHandler(body::tryFail);
        response.handler(chunk -> {
            if (body.future().isComplete()) {
                return;
            }
            long room = maxBodyBytes - buffer.length();
            if (chunk.length() < room) {
                buffer.appendBuffer(chunk);
                return;
            }
            buffer.appendBuffer(chunk, 0, (int) room);
            body.tryComplete(buffer);
            http.reset(); // the rest is never read; the connection is not reused
        });
        response.endHandler(done -> body.tryComplete(buffer));
        return body.future();
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
