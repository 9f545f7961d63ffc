package io.mepsidecar.contract;

/** HTTP headers between an app and its sidecar (see docs/protocol.md). */
public final class AppHeaders {

    /** On every response of the sidecar's API, and on every request the sidecar delivers to its app. */
    public static final String CORRELATION_ID = "Mep-Correlation-Id";
    /** On requests delivered to the app: the operation being invoked. */
    public static final String OPERATION = "Mep-Operation";
    /** On requests delivered to the app: the instant after which the caller stops waiting (RFC 3339). */
    public static final String DEADLINE = "Mep-Deadline";
    /** On requests delivered to the app: the {@code ce_source} of the caller. */
    public static final String CALLER = "Mep-Caller";

    private AppHeaders() {
    }
}
