package io.mepsidecar.service;

/** What became of a request record, for the consumer: may its offset be committed? */
enum Disposition {
    /** Done with: answered, deferred or expired. Its offset may be committed (share groups: ACCEPT). */
    FINISHED,
    /** Put on the dead-letter topic. Its offset may be committed (share groups: REJECT, never handed out again). */
    DEAD_LETTERED,
    /**
     * Must be read again, by this replica or another: the app never got it, or its reply is not out yet (share
     * groups: RELEASE).
     */
    UNFINISHED
}
