package io.mepsidecar.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;

/**
 * Entries that expire on their own and are bounded in count and in bytes. Unlike a size-bounded cache it never
 * evicts to make room: a new entry is refused when it would not fit, so that what was promised (a result to fetch, a
 * reply to accept) is never silently dropped. Expired entries are removed promptly by Caffeine's scheduler. Safe for
 * any thread.
 *
 * @param <V> the kept value
 */
public final class BoundedCache<V> {

    private final int maxEntries;
    private final long maxBytes;
    private final ToIntFunction<V> weigher;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final Cache<String, V> entries;

    /**
     * @param lifetime how long an entry is kept from the moment it is put, given its key and value
     * @param weigher  the bytes an entry holds
     */
    public BoundedCache(int maxEntries, long maxBytes, ToIntFunction<V> weigher,
            BiFunction<String, V, Duration> lifetime) {
        this(maxEntries, maxBytes, weigher, lifetime, (key, value) -> {
        });
    }

    /** @param expired told of each entry that expired (not of those removed or replaced) */
    public BoundedCache(int maxEntries, long maxBytes, ToIntFunction<V> weigher,
            BiFunction<String, V, Duration> lifetime, java.util.function.BiConsumer<String, V> expired) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.weigher = weigher;
        this.entries = Caffeine.newBuilder()
                .expireAfter(Expiry.<String, V>writing((key, value) -> {
                    Duration left = lifetime.apply(key, value);
                    return left.isNegative() ? Duration.ZERO : left;
                }))
                .scheduler(Scheduler.systemScheduler())
                .executor(Runnable::run)
                .removalListener((String key, V value, RemovalCause cause) -> {
                    count.decrementAndGet();
                    bytes.addAndGet(-weigher.applyAsInt(value));
                    if (cause == RemovalCause.EXPIRED) {
                        expired.accept(key, value);
                    }
                })
                .build();
    }

    /** Keeps the entry unless one is kept under that key already; false when it does not fit (nothing is kept). */
    public boolean putIfRoom(String key, V value) {
        if (entries.getIfPresent(key) != null) {
            return true;
        }
        int weight = weigher.applyAsInt(value);
        if (!hasRoomFor(weight)) {
            return false;
        }
        if (entries.asMap().putIfAbsent(key, value) == null) {
            count.incrementAndGet();
            bytes.addAndGet(weight);
        }
        return true;
    }

    /**
     * Keeps the entry whether it fits or not (a promise made when there was room); it still counts toward the bounds,
     * so nothing new fits until enough entries are gone.
     */
    public void put(String key, V value) {
        if (entries.asMap().putIfAbsent(key, value) == null) {
            count.incrementAndGet();
            bytes.addAndGet(weigher.applyAsInt(value));
        }
    }

    /**
     * Keeps the entry in place of the one kept under that key (or as a new one), in one step: a reader finds the old
     * entry or the new one, never neither. Like {@link #put} it keeps the entry whether it fits or not; its lifetime
     * starts now.
     */
    public void replace(String key, V value) {
        entries.asMap().put(key, value); // the old one, if any, leaves through the removal listener (REPLACED)
        count.incrementAndGet();
        bytes.addAndGet(weigher.applyAsInt(value));
    }

    /** True when an entry of {@code weight} bytes would fit now. */
    public boolean hasRoomFor(int weight) {
        return count.get() < maxEntries && bytes.get() + weight <= maxBytes;
    }

    /** The entry, or null when none is kept (or it expired). */
    public V get(String key) {
        return entries.getIfPresent(key);
    }

    /** Forgets the entry; true when one was kept. */
    public boolean remove(String key) {
        return entries.asMap().remove(key) != null;
    }

    /** A read-only view of the entries kept now. */
    public java.util.Map<String, V> asMap() {
        return java.util.Collections.unmodifiableMap(entries.asMap());
    }

    /** Entries kept now. */
    public int size() {
        return count.get();
    }

    /** Bytes kept now. */
    public long bytes() {
        return bytes.get();
    }
}
