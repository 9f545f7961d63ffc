package io.mepsidecar.service;

/** What became of a request record, for the consumer: may its offset be committed? */
enum Disposition {
    /** Done with: answered, deferred, dead-lettered or expired. Its offset may be committed. */
    FINISHED,
    /** Must be read again, by this replica or another: the app never got it, or its reply is not out yet. */
    UNFINISHED
}
