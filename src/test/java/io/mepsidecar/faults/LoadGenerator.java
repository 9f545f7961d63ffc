package io.mepsidecar.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.awaitility.Awaitility;

/**
 * A paced, bounded load through the caller replicas: every {@link #TICK} one call of each style (synchronous,
 * asynchronous with a completion callback, one-way) to the next live replica, round robin; at most
 * {@link #MAX_CALLS_AT_ONCE} calls at once (a tick that finds no free slot sends nothing and is counted).
 * <p>
 * A synchronous call that fails with a connection error, a 429 or a 5xx is sent again, with the same body and the
 * same {@code Idempotency-Key}, to the next live replica, with backoff, {@link #MAX_ATTEMPTS} times in all and not
 * after {@link #MAX_CALL_TIME}: the way a client holding an idempotency key retries. Asynchronous and one-way calls
 * are sent once; those answered 202 (or, asynchronous ones, answered with their result at once) are accepted and
 * enter the {@link CallLedger}.
 */
final class LoadGenerator {

    static final Duration TICK = Duration.ofMillis(100);
    /**
     * How long the serving app works on each call. Long enough that a few calls of each style are always under way
     * (a fault finds some in flight), short enough that one service replica (16 requests at its app at once) keeps
     * up with the load with room to catch up after a fault.
     */
    static final int WORK_MILLIS = 300;
    static final int MAX_CALLS_AT_ONCE = 96;
    static final int MAX_ATTEMPTS = 8;
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(15);
    private static final long MAX_BACKOFF_MS = 4_000;
    /** A synchronous call is not tried again once this long has passed since its first attempt. */
    private static final Duration MAX_CALL_TIME = Duration.ofSeconds(45);

    private final HttpClient http;
    private final Supplier<List<String>> callers;
    private final CallLedger ledger = new CallLedger();
    private final Semaphore slots = new Semaphore(MAX_CALLS_AT_ONCE);
    private final AtomicInteger nextCaller = new AtomicInteger();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "fault-load-pacer");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> ticking;

    LoadGenerator(HttpClient http, Supplier<List<String>> callers) {
        this.http = http;
        this.callers = callers;
    }

    CallLedger ledger() {
        return ledger;
    }

    void start() {
        ticking = pacer.scheduleAtFixedRate(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops sending new calls and waits (bounded) until the calls under way, retries included, are finished. */
    void stop() {
        ticking.cancel(false);
        pacer.shutdown();
        Awaitility.await("calls under way finish").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> slots.availablePermits() == MAX_CALLS_AT_ONCE);
    }

    private void tick() {
        if (!slots.tryAcquire(3)) {
            ledger.skipped.incrementAndGet();
            return;
        }
        CallLedger.SyncCall call = new CallLedger.SyncCall(token("sync"));
        ledger.sync.add(call);
        callSync(call);
        callAsync(token("async"));
        callOneWay(token("one-way"));
    }

    // ---- synchronous, with retries ----

    private void callSync(CallLedger.SyncCall call) {
        int attempt = call.attempts.incrementAndGet();
        String caller = nextCaller();
        long sentAt = System.nanoTime();
        HttpRequest request = post(caller, FaultTopology.REQUEST_REPLY, call.token)
                .header("Idempotency-Key", call.token).header("Mep-Timeout", SYNC_TIMEOUT.toSeconds() + "s").build();
        send(request).whenComplete((response, failure) -> {
            int status = failure == null ? response.statusCode() : 0;
            ledger.answered("sync", status);
            if (status >= 200 && status < 300) {
                ledger.syncSuccesses.add(new CallLedger.Success(sentAt, System.nanoTime()));
                finish(call, status);
            } else if (retryable(status) && attempt < MAX_ATTEMPTS
                    && System.nanoTime() - call.startedAt < MAX_CALL_TIME.toNanos()) {
                long backoff = Math.min(MAX_BACKOFF_MS, 250L << (attempt - 1));
                CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS).execute(() -> callSync(call));
            } else {
                finish(call, status);
            }
        });
    }

    private void finish(CallLedger.SyncCall call, int status) {
        call.finalStatus = status;
        slots.release();
    }

    private static boolean retryable(int status) {
        return status == 0 || status == 429 || status >= 500;
    }

    // ---- asynchronous and one-way: accepted or not ----

    private void callAsync(String token) {
        String caller = nextCaller();
        HttpRequest request = post(caller, FaultTopology.REQUEST_REPLY, token).header("Prefer", "respond-async")
                .header("Mep-Callback", CallbackReceiver.PATH).build();
        send(request).whenComplete((response, failure) -> {
            accept("async", ledger.async, token, caller, response, failure);
            slots.release();
        });
    }

    private void callOneWay(String token) {
        String caller = nextCaller();
        send(post(caller, FaultTopology.ONE_WAY, token).build()).whenComplete((response, failure) -> {
            accept("one-way", ledger.oneWay, token, caller, response, failure);
            slots.release();
        });
    }

    private void accept(String style, Queue<CallLedger.AcceptedCall> accepted, String token, String caller,
            HttpResponse<Void> response, Throwable failure) {
        int status = failure == null ? response.statusCode() : 0;
        ledger.answered(style, status);
        if (status >= 200 && status < 300) {
            String id = response.headers().firstValue("Mep-Correlation-Id").orElseThrow(
                    () -> new IllegalStateException(status + " without Mep-Correlation-Id for " + token));
            accepted.add(new CallLedger.AcceptedCall(token, id, caller, status == 202 ? 0 : status));
        }
    }

    // ---- plumbing ----

    private HttpRequest.Builder post(String caller, String operation, String token) {
        return HttpRequest.newBuilder(URI.create(caller + "/v1/invoke/" + operation)).timeout(HTTP_TIMEOUT)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(body(token)));
    }

    private CompletableFuture<HttpResponse<Void>> send(HttpRequest request) {
        try {
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new IOException(e));
        }
    }

    /** The next live caller replica, round robin; a dead address when none is live (the call then fails). */
    private String nextCaller() {
        List<String> live = callers.get();
        if (live.isEmpty()) {
            return "http://127.0.0.1:1";
        }
        return live.get(Math.floorMod(nextCaller.getAndIncrement(), live.size()));
    }

    /** A unique token per logical call: the end of its body and, for synchronous calls, its idempotency key. */
    private static String token(String style) {
        return style + "-" + UUID.randomUUID();
    }

    /** The body of a call: how long the app at {@code /work} is to work on it, then the call's token. */
    static String body(String token) {
        return WORK_MILLIS + " " + token;
    }

    /** The token of a call, from the body the serving app received. */
    static String tokenOf(String body) {
        return body.substring(body.indexOf(' ') + 1);
    }
}
