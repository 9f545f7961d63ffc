package io.mepsidecar.service;

/**
 * One assignment of one partition to this replica: a new object each time the partition is assigned, so a request
 * finishing after its partition moved (or was assigned again) is recognised as belonging to an old assignment and
 * neither commits nor disturbs the new one. Only the consumer thread touches it, but {@link #isCurrent()}, which
 * request threads read.
 */
final class PartitionState {

    final OffsetTracker offsets = new OffsetTracker();
    /** Requests of this assignment handed to the handler and not settled yet. */
    int inFlight;
    private volatile boolean current = true;

    /** False once the partition was given up (revoked, lost, the consumer closed): work for it stops. */
    boolean isCurrent() {
        return current;
    }

    void end() {
        current = false;
    }
}
