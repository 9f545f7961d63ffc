package io.mepsidecar.caller;

import io.mepsidecar.contract.TraceContext;

import java.time.Duration;

/**
 * The service's answer as the caller sees it.
 *
 * @param status      the serving app's HTTP status (or the serving sidecar's, for its own faults)
 * @param contentType the reply's content type; null when the app sent none
 * @param body        the reply payload, possibly empty
 * @param appDuration the time the serving app took, when the reply says; null otherwise
 * @param trace       the reply's W3C trace context; null when it has none
 */
public record Reply(int status, String contentType, byte[] body, Duration appDuration, TraceContext trace) {

    public Reply(int status, String contentType, byte[] body) {
        this(status, contentType, body, null, null);
    }

    public Reply(int status, String contentType, byte[] body, Duration appDuration) {
        this(status, contentType, body, appDuration, null);
    }
}
