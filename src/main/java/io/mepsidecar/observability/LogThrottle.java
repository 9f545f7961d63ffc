package io.mepsidecar.observability;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a repeated warning through at most once per interval, so that what an outsider can cause again and again
 * (a full share group, replies that cannot be used) does not flood the log. Safe for any thread.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private final AtomicLong lastNanos;

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.lastNanos = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** True for the first call, then for the first call once the interval has passed since the last true. */
    public boolean due() {
        long now = System.nanoTime();
        long last = lastNanos.get();
        return now - last >= intervalNanos && lastNanos.compareAndSet(last, now);
    }
}
