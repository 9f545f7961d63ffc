package io.mepsidecar.contract;

/**
 * Kafka record headers of the protocol (see docs/protocol.md). CloudEvents Kafka binary-binding names where
 * CloudEvents has the attribute; CloudEvents extension attributes ({@code ce_} + lower-case name) for the fields
 * request-reply needs.
 */
public final class WireHeaders {

    public static final String SPEC_VERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String TIME = "ce_time";
    public static final String CONTENT_TYPE = "content-type";

    /** Correlation id of the call; equal in the request and its reply. */
    public static final String CORRELATION_ID = "ce_correlationid";
    /** Topic the reply must be published to (request-reply requests only). */
    public static final String REPLY_TO = "ce_replyto";
    /** Instance of the caller that waits for the reply; the reply echoes it so other instances skip it. */
    public static final String REPLY_INSTANCE = "ce_replyinstance";
    /**
     * Optional, on request-reply requests: the partition of the reply topic to publish the reply to (the caller
     * replica reads only its own partitions). Without it, or with one the topic does not have, the reply goes to the
     * partition of its key, the correlation id.
     */
    public static final String REPLY_PARTITION = "ce_replypartition";
    /** Instant after which the caller no longer waits, RFC 3339 in UTC. */
    public static final String DEADLINE = "ce_deadline";
    /** HTTP status of the reply: 2xx for a result, 4xx/5xx for a fault. */
    public static final String STATUS = "ce_status";
    /** Optional, on replies: time the serving app took, ISO-8601 (e.g. {@code PT0.0042S}). */
    public static final String APP_DURATION = "ce_appduration";
    /**
     * Optional, diagnostic ({@code mep.debug.hop-timestamps}): on a request, asks the serving sidecar to stamp its
     * hops (the value is the caller's stamps so far; only its presence counts); on the reply, the serving sidecar's
     * stamps, in the form of {@link HopStamps#format()}.
     */
    public static final String HOPS = "mep-hops";

    public static final String SPEC_VERSION_VALUE = "1.0";
    /** Suffix of {@code ce_type} on replies: {@code <operation>.reply}. */
    public static final String REPLY_TYPE_SUFFIX = ".reply";

    private WireHeaders() {
    }
}
