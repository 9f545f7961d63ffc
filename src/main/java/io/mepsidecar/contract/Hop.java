package io.mepsidecar.contract;

/**
 * The hand-offs of one synchronous request-reply call through two sidecars, in the order a call passes them. Each
 * can be stamped with the wall-clock time it happened ({@link HopStamps}, {@code mep.debug.hop-timestamps}), so that a
 * benchmark can tell where a call's time goes. The names are those of the {@code mep-hops} record header and the
 * {@code Mep-Hops} response header (docs/protocol.md).
 */
public enum Hop {

    /** Caller sidecar: the app's {@code POST /v1/invoke/{op}} reached the invoker. */
    HTTP_IN("http-in", Side.CALLER),
    /** Caller sidecar: the request record is built and handed to the producer's send queue. */
    PUBLISH("publish", Side.CALLER),
    /** Caller sidecar: the send thread hands the record to the Kafka producer. */
    SEND("send", Side.CALLER),
    /** Caller sidecar: the broker acknowledged the request (acks=all). */
    ACK("ack", Side.CALLER),
    /** Service sidecar: the request record was polled and its handling starts. */
    CONSUMED("consumed", Side.SERVICE),
    /** Service sidecar: the HTTP request is written to the connection to the app. */
    APP_CALL("app-call", Side.SERVICE),
    /** Service sidecar: the app's whole response (status, headers, body) is in. */
    APP_ANSWER("app-answer", Side.SERVICE),
    /** Service sidecar: the reply record is built and handed to the producer's send queue. */
    REPLY_SEND("reply-send", Side.SERVICE),
    /** Caller sidecar: the reply record was read by the reply listener. */
    REPLY_CONSUMED("reply-consumed", Side.CALLER),
    /** Caller sidecar: the HTTP response to the app is built. */
    HTTP_OUT("http-out", Side.CALLER);

    /** Which sidecar takes a stamp: a caller takes only the serving side's stamps from a reply. */
    public enum Side { CALLER, SERVICE }

    private final String wireName;
    private final Side side;

    Hop(String wireName, Side side) {
        this.wireName = wireName;
        this.side = side;
    }

    /** The name in {@code mep-hops} and {@code Mep-Hops}, e.g. {@code app-call}. */
    public String wireName() {
        return wireName;
    }

    public Side side() {
        return side;
    }
}
