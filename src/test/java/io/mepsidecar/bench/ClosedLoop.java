package io.mepsidecar.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load: {@code concurrency} callers each make the next call as soon as the previous one completed.
 * Latency goes into an HdrHistogram (1 µs to 60 s, 3 significant digits). Closed loop issues no call while one is
 * waiting, so there is no coordinated omission to correct for; throughput is what the system sustains.
 */
final class ClosedLoop {

    /**
     * Latencies in microseconds, the calls made and the failures, over the measured window, and how many failures
     * of each kind (the error's class and message).
     */
    record Result(Histogram latencyMicros, long calls, long failures, Duration elapsed, Map<String, Long> reasons) {

        double throughput() {
            return calls / (elapsed.toNanos() / 1e9);
        }
    }

    private ClosedLoop() {
    }

    /** A warm-up of {@code warmup} (not measured; {@code afterWarmup} runs at its end), then the measured run. */
    static Result run(Target target, int concurrency, byte[] payload, Duration warmup, Duration duration,
            Runnable afterWarmup) throws InterruptedException {
        if (!warmup.isZero()) {
            measure(target, concurrency, payload, warmup);
        }
        afterWarmup.run();
        return measure(target, concurrency, payload, duration);
    }

    private static Result measure(Target target, int concurrency, byte[] payload, Duration duration)
            throws InterruptedException {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong failures = new AtomicLong();
        Map<String, Long> reasons = new ConcurrentHashMap<>();
        CountDownLatch stopped = new CountDownLatch(concurrency);
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            next(target, payload, recorder, failures, reasons, end, stopped);
        }
        if (!stopped.await(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("calls still outstanding a minute after the run ended");
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        Histogram histogram = recorder.getIntervalHistogram();
        return new Result(histogram, histogram.getTotalCount(), failures.get(), elapsed, Map.copyOf(reasons));
    }

    private static void next(Target target, byte[] payload, Recorder recorder, AtomicLong failures,
            Map<String, Long> reasons, long end, CountDownLatch stopped) {
        if (System.nanoTime() >= end) {
            stopped.countDown();
            return;
        }
        long started = System.nanoTime();
        target.call(payload).whenComplete((ok, error) -> {
            if (error == null) {
                recorder.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started)));
                next(target, payload, recorder, failures, reasons, end, stopped);
            } else {
                failures.incrementAndGet(); // back off a little, and never recurse on a failing target
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                reasons.merge(cause.getClass().getSimpleName() + ": " + cause.getMessage(), 1L, Long::sum);
                CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS)
                        .execute(() -> next(target, payload, recorder, failures, reasons, end, stopped));
            }
        });
    }
}
