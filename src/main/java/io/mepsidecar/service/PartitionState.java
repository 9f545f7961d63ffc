package io.mepsidecar.service;

/**
 * One assignment of one partition to this replica: a new object each time the partition is assigned, so a request
 * finishing after its partition moved (or was assigned again) is recognised as belonging to an old assignment and
 * neither commits nor disturbs the new one. Only the consumer thread touches it, but {@link #isCurrent()}, which
 * request threads read.
 */
final class PartitionState implements RecordLease {

    final OffsetTracker offsets = new OffsetTracker();
    /** Requests of this assignment handed to the handler and not settled yet. */
    int inFlight;
    private volatile boolean current = true;

    /** False once the partition was given up (revoked, lost, the consumer closed): work for it stops. */
    @Override
    public boolean isCurrent() {
        return current;
    }

    /** A consumer group does not count deliveries. */
    @Override
    public int deliveryCount() {
        return 1;
    }

    @Override
    public boolean countsDeliveries() {
        return false;
    }

    /** A record left uncommitted is read again however often; one-way retries in place count their attempts. */
    @Override
    public boolean isLastDelivery() {
        return false;
    }

    void end() {
        current = false;
    }
}
