package io.mepsidecar.service;

/** Why a request record went to the dead-letter topic: the value of its {@code dead-letter-reason} header. */
enum DeadLetterReason {
    /** A header the protocol needs is missing or unreadable (correlation id, deadline, content type, source). */
    UNDECODABLE("undecodable"),
    /** A request-reply request without {@code ce_replyto}, or naming a topic replies may not go to. */
    REPLY_TOPIC_NOT_ALLOWED("reply-topic-not-allowed"),
    /** The reply topic does not exist. */
    REPLY_TOPIC_MISSING("reply-topic-missing"),
    /** The app's reply is larger than the producer accepts; the caller got a 502 problem instead. */
    REPLY_TOO_LARGE("reply-too-large"),
    /** The reply can never be published there (not authorised, invalid topic). */
    REPLY_UNPUBLISHABLE("reply-unpublishable"),
    /** A one-way message older than its operation's {@code expires}. */
    EXPIRED("expired"),
    /**
     * Delivered {@code mep.service.max-deliveries} times without being finished: on consumer groups a one-way
     * message the app took but did not answer; on share groups any request given back (app away, lock lost,
     * sidecar stopping) on its last delivery.
     */
    DELIVERY_FAILED("delivery-failed");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    String code() {
        return code;
    }
}
