package io.mepsidecar.state;

/** Record headers of the state topic (docs/protocol.md, section 7). */
public final class StateHeaders {

    /** What the entry is: {@code accepted}, {@code result}, {@code key}, {@code deferred}, {@code replied},
     * {@code taken}. */
    public static final String STATE = "mep-state";
    public static final String OPERATION = "mep-operation";
    /** The replica that wrote the entry (accepted: the one that answered 202). */
    public static final String INSTANCE = "mep-instance";
    public static final String DEADLINE = "mep-deadline";
    public static final String CALLBACK = "mep-callback";
    /** {@code true} when a replica took on delivering the result's callback. */
    public static final String CALLBACK_TAKEN = "mep-callback-taken";
    public static final String STATUS = "mep-status";
    public static final String CONTENT_TYPE = "content-type";
    /** Correlation id a key entry points to. */
    public static final String CORRELATION_ID = "mep-correlation-id";
    /** Digest of what an entry stands for: the call behind an idempotency key, the reply given. */
    public static final String DIGEST = "mep-digest";
    public static final String REPLY_TO = "mep-reply-to";
    public static final String REPLY_INSTANCE = "mep-reply-instance";
    public static final String REPLY_PARTITION = "mep-reply-partition";
    /** Deferred entries of a request in another dialect than CloudEvents: its dialect. */
    public static final String DIALECT = "mep-dialect";
    /** Deferred entries whose correlation bytes are not the id's text: the bytes, in hex. */
    public static final String CORRELATION_BYTES = "mep-correlation-bytes";

    public static final String ACCEPTED = "accepted";
    public static final String RESULT = "result";
    public static final String KEY = "key";
    public static final String DEFERRED = "deferred";
    public static final String REPLIED = "replied";
    public static final String TAKEN = "taken";

    private StateHeaders() {
    }
}
