package io.mepsidecar.bench;

import io.mepsidecar.testing.SidecarProcess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import io.mepsidecar.testing.Metrics;
import org.awaitility.Awaitility;

import java.io.PrintStream;
import java.net.URL;
import java.time.Duration;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a pending asynchronous call costs the caller sidecar: heap (after a full GC) and RSS before and after
 * {@code calls} calls to {@code bench-hold}, which the serving app never answers, were accepted with 202.
 */
final class PendingCallsProbe {

    private static final int ISSUERS = 128;

    private final Vertx vertx;
    private final SidecarProcess caller;
    private final int calls;
    private final PrintStream out;

    PendingCallsProbe(Vertx vertx, SidecarProcess caller, int calls, PrintStream out) {
        this.vertx = vertx;
        this.caller = caller;
        this.calls = calls;
        this.out = out;
    }

    Summary.Pending measure() throws Exception {
        // results of earlier runs expire meanwhile and would hide what the pending calls cost
        Awaitility.await("kept results expired").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> Metrics.value(Metrics.scrape(new URL(caller.managementUrl() + "/q/metrics")),
                        "mep_caller_results_kept", "") == 0);
        double heapBefore = ProcessStats.heapAfterGcMiB(caller.pid(), caller.managementUrl());
        double rssBefore = ProcessStats.rssMiB(caller.pid());
        int accepted = issue();
        if (accepted != calls) {
            throw new IllegalStateException("only " + accepted + " of " + calls + " calls were accepted with 202");
        }
        double heapAfter = ProcessStats.heapAfterGcMiB(caller.pid(), caller.managementUrl());
        double rssAfter = ProcessStats.rssMiB(caller.pid());
        out.printf("[bench] %d pending calls: heap %.1f -> %.1f MiB, RSS %.1f -> %.1f MiB%n", calls, heapBefore,
                heapAfter, rssBefore, rssAfter);
        double mib = 1024.0 * 1024.0;
        return new Summary.Pending(calls, heapBefore, heapAfter, rssBefore, rssAfter,
                (heapAfter - heapBefore) * mib / calls, (rssAfter - rssBefore) * mib / calls);
    }

    /** Makes the calls, at most {@value #ISSUERS} at a time; returns how many were accepted with 202. */
    private int issue() throws InterruptedException {
        URI base = URI.create(caller.url());
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(ISSUERS));
        Semaphore permits = new Semaphore(ISSUERS);
        CountDownLatch done = new CountDownLatch(calls);
        AtomicInteger accepted = new AtomicInteger();
        try {
            for (int i = 0; i < calls; i++) {
                permits.acquire();
                RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setHost(base.getHost())
                        .setPort(base.getPort()).setURI("/v1/invoke/bench-hold")
                        .putHeader("Prefer", "respond-async").putHeader("Content-Type", "application/octet-stream");
                client.request(post).compose(request -> request.send(Buffer.buffer(new byte[64])))
                        .onComplete(result -> {
                            if (result.succeeded() && result.result().statusCode() == 202) {
                                accepted.incrementAndGet();
                            }
                            permits.release();
                            done.countDown();
                        });
            }
            done.await(5, TimeUnit.MINUTES);
            return accepted.get();
        } finally {
            client.close();
        }
    }
}
