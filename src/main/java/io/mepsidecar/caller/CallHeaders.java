package io.mepsidecar.caller;

/** HTTP headers of the caller-side API beyond the standard ones. */
public final class CallHeaders {

    /** Request: a shorter timeout than the contract's, e.g. {@code 2s} or {@code 500ms}. */
    public static final String TIMEOUT = "Mep-Timeout";
    /** Request: path on the caller's app to POST the result to (with {@code Prefer: respond-async}). */
    public static final String CALLBACK = "Mep-Callback";
    /** On a callback: the status the service answered with. */
    public static final String STATUS = "Mep-Status";
    /** A retry with the same key (and the same request) joins the first call instead of making another. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Base path of the reply resources. */
    public static final String REPLIES_PATH = "/v1/replies/";
    /**
     * Response, with {@code mep.debug.hop-timestamps}: when the call passed each hand-off, on both sidecars
     * ({@link io.mepsidecar.contract.HopStamps#format()}).
     */
    public static final String HOPS = "Mep-Hops";

    private CallHeaders() {
    }
}
