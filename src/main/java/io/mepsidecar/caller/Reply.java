package io.mepsidecar.caller;

/**
 * The service's answer as the caller sees it.
 *
 * @param status      the serving app's HTTP status (or the serving sidecar's, for its own faults)
 * @param contentType the reply's content type; null when the app sent none
 * @param body        the reply payload, possibly empty
 */
public record Reply(int status, String contentType, byte[] body) {
}
