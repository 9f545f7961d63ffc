package io.mepsidecar.caller;

import io.mepsidecar.app.LocalApp;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.contract.TraceContext;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Delivers the result of an asynchronous call to the path its caller named on the local app, retrying with backoff
 * for {@code mep.caller.callback-retry} until the app answers 2xx. The target is always the local app: only the path
 * comes from the caller. The callback is a request made for the reply, so it carries the reply's trace context as
 * {@code traceparent}, {@code tracestate} and {@code baggage}.
 */
@ApplicationScoped
public class CallbackSender {

    private static final Logger LOG = Logger.getLogger(CallbackSender.class);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final long ATTEMPT_TIMEOUT_MS = 10_000;

    @Inject
    Vertx vertx;

    @Inject
    SidecarConfig config;

    @Inject
    LocalApp app;

    /** Delivers the result of call {@code correlationId} of {@code operation} to {@code path} on the local app. */
    void deliver(String correlationId, String operation, String path, Reply result) {
        Instant giveUp = Instant.now().plus(config.caller().callbackRetry());
        attempt(new Callback(correlationId, operation, path), result, 1, FIRST_BACKOFF_MS, giveUp);
    }

    private record Callback(String correlationId, String operation, String path) {
    }

    private void attempt(Callback call, Reply result, int attempt, long backoff, Instant giveUp) {
        String target = app.url(call.path());
        RequestOptions options = app.request(HttpMethod.POST, target)
                .setIdleTimeout(ATTEMPT_TIMEOUT_MS)
                .putHeader(AppHeaders.CORRELATION_ID, call.correlationId())
                .putHeader(AppHeaders.OPERATION, call.operation())
                .putHeader(CallHeaders.STATUS, Integer.toString(result.status()));
        if (result.contentType() != null) {
            options.putHeader("Content-Type", result.contentType());
        }
        TraceContext trace = result.trace();
        if (trace != null) {
            putIfSet(options, TraceContext.TRACEPARENT, trace.traceparent());
            putIfSet(options, TraceContext.TRACESTATE, trace.tracestate());
            putIfSet(options, TraceContext.BAGGAGE, trace.baggage());
        }
        app.client().request(options)
                .compose(request -> request.send(Buffer.buffer(result.body())))
                .compose(response -> response.end().map(read -> response)) // frees the pooled connection
                .onComplete(done -> {
                    int status = done.succeeded() ? done.result().statusCode() : 0;
                    if (status >= 200 && status < 300) {
                        return;
                    }
                    String why = done.succeeded() ? "status " + status : done.cause().toString();
                    if (Instant.now().plusMillis(backoff).isAfter(giveUp)) {
                        LOG.warnf("callback of %s to %s given up after %d attempts (%s); the result stays at %s%s",
                                call.correlationId(), target, attempt, why, CallHeaders.REPLIES_PATH,
                                call.correlationId());
                        return;
                    }
                    LOG.debugf("callback of %s to %s failed (%s), retrying in %d ms", call.correlationId(), target,
                            why, backoff);
                    vertx.setTimer(backoff, id -> attempt(call, result, attempt + 1,
                            Math.min(backoff * 2, MAX_BACKOFF_MS), giveUp));
                });
    }

    private static void putIfSet(RequestOptions options, String name, String value) {
        if (value != null) {
            options.putHeader(name, value);
        }
    }
}
