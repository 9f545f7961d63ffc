package io.mepsidecar.service;

import io.mepsidecar.contract.TraceContext;

import java.time.Duration;

/**
 * What the serving app answered to one request, or the fault the sidecar put in its place.
 *
 * @param status      HTTP status
 * @param contentType content type; null when none was sent
 * @param body        payload, possibly empty
 * @param delivery    how far the request got
 * @param appDuration how long the app took to answer; null when it did not answer
 * @param trace       the W3C trace context the app answered with; null when none (the request's then goes on)
 */
record AppResponse(int status, String contentType, byte[] body, Delivery delivery, Duration appDuration,
        TraceContext trace) {

    AppResponse(int status, String contentType, byte[] body, Delivery delivery, Duration appDuration) {
        this(status, contentType, body, delivery, appDuration, null);
    }

    /** How far a request got toward the app. */
    enum Delivery {
        /** The app answered (any status). */
        ANSWERED,
        /** No connection to the app could be made: the app never saw the request. */
        NOT_CONNECTED,
        /** Connected, but the exchange broke before a complete answer: the app may have acted on it. */
        BROKEN,
        /** The app did not answer before the deadline. */
        TIMED_OUT
    }

    boolean answered() {
        return delivery == Delivery.ANSWERED;
    }
}
