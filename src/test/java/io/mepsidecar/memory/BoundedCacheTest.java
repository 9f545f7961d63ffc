package io.mepsidecar.memory;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Bounds and replacement of {@link BoundedCache}. */
class BoundedCacheTest {

    private final BoundedCache<String> cache = new BoundedCache<>(10, 1_000, String::length,
            (key, value) -> Duration.ofMinutes(1));

    @Test
    void aReplacedEntryCountsOnceWithItsNewWeight() {
        cache.put("call", "accepted");
        cache.replace("call", "a result of 24 characters");

        assertThat(cache.get("call")).isEqualTo("a result of 24 characters");
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(25);
    }

    @Test
    void replaceKeepsANewEntryLikePut() {
        cache.replace("call", "result");

        assertThat(cache.get("call")).isEqualTo("result");
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(6);
    }

    /** A reader during a replacement finds the old entry or the new one: never neither (a GET would answer 404). */
    @Test
    void aReaderNeverFindsNothingWhileAnEntryIsReplaced() throws Exception {
        cache.put("call", "accepted");
        AtomicBoolean replacing = new AtomicBoolean(true);
        AtomicLong missing = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            while (replacing.get()) {
                reads.incrementAndGet();
                if (cache.get("call") == null) {
                    missing.incrementAndGet();
                }
            }
        });
        try {
            for (int i = 0; i < 200_000; i++) {
                cache.replace("call", i % 2 == 0 ? "result" : "accepted");
            }
        } finally {
            replacing.set(false);
            reader.get(10, TimeUnit.SECONDS);
        }

        assertThat(reads.get()).as("reads made").isPositive();
        assertThat(missing.get()).as("reads that found nothing").isZero();
        assertThat(cache.size()).isEqualTo(1);
    }
}
