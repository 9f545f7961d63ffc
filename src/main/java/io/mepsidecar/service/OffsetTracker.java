package io.mepsidecar.service;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Offsets of one partition that were received but are not finished yet. Requests finish out of order; the offset
 * that may be committed is the lowest unfinished one, so a crash never skips a request. Not thread-safe: owned by
 * the consumer thread.
 */
final class OffsetTracker {

    private final TreeSet<Long> unfinished = new TreeSet<>();
    private long nextAfterReceived = -1;
    private long committed = -1;

    void received(long offset) {
        unfinished.add(offset);
        nextAfterReceived = Math.max(nextAfterReceived, offset + 1);
    }

    void finished(long offset) {
        unfinished.remove(offset);
    }

    /** The offset to commit (the next one to read after a restart), if it moved since the last commit. */
    OptionalLong committable() {
        long next = unfinished.isEmpty() ? nextAfterReceived : unfinished.first();
        return next > committed ? OptionalLong.of(next) : OptionalLong.empty();
    }

    void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    int unfinishedCount() {
        return unfinished.size();
    }
}
