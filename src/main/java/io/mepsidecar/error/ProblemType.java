package io.mepsidecar.error;

/** Every problem the sidecar itself reports, with its status; docs/protocol.md lists them. */
public enum ProblemType {
    BAD_REQUEST(400, "bad-request", "Bad request"),
    UNAUTHORIZED(401, "unauthorized", "Missing or wrong API token"),
    OPERATION_NOT_ALLOWED(403, "operation-not-allowed", "Operation not allowed for this app"),
    NOT_FOUND(404, "not-found", "No such resource"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    UNKNOWN_OPERATION(404, "unknown-operation", "Unknown operation"),
    UNKNOWN_REPLY(404, "unknown-reply", "Unknown reply"),
    REPLY_CONFLICT(409, "reply-conflict", "A different reply was already given"),
    REPLY_EXPIRED(410, "reply-expired", "The caller no longer waits for this reply"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "Idempotency key reused for a different request"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    URI_TOO_LONG(414, "uri-too-long", "Request URI too long"),
    TOO_MANY_CALLS(429, "too-many-calls", "Too many calls in flight"),
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large"),
    APP_UNREACHABLE(502, "app-unreachable", "Serving app unreachable"),
    BAD_REPLY(502, "bad-reply", "Unusable reply"),
    BROKER_UNAVAILABLE(503, "broker-unavailable", "Kafka broker unavailable"),
    STOPPING(503, "stopping", "The sidecar is stopping"),
    REPLY_TIMEOUT(504, "reply-timeout", "No reply before the deadline"),
    APP_TIMEOUT(504, "app-timeout", "Serving app did not answer before the deadline"),
    INTERNAL(500, "internal", "Internal sidecar error");

    /** Prefix of every problem {@code type} URI. */
    public static final String TYPE_PREFIX = "urn:mep-sidecar:problem:";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String uri() {
        return TYPE_PREFIX + slug;
    }

    public String title() {
        return title;
    }
}
