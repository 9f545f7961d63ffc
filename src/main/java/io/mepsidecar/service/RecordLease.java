package io.mepsidecar.service;

/**
 * A request record as this replica holds it, whatever the consumption mode: whether it is still this replica's to
 * finish, how often the broker has handed it out, and whether giving it back makes the broker hand it out again
 * (share groups count that; consumer groups do not, and a failed one-way delivery is tried again in place there).
 */
interface RecordLease {

    /** False once the record is no longer this replica's: its partition moved, its lock was lost, the stop came. */
    boolean isCurrent();

    /** How many times the record was handed out, this time included; 1 when the consumer cannot tell. */
    int deliveryCount();

    /** True when a record given back is handed out again by the broker, with its delivery count raised. */
    boolean countsDeliveries();

    /**
     * True when the broker will not hand the record out again if it is given back now: with share groups, at
     * {@code mep.service.max-deliveries} or the broker's own limit, whichever is lower. Such a record is dead-lettered
     * instead of given back.
     */
    boolean isLastDelivery();
}
