package io.mepsidecar.service;

import java.time.Duration;

/**
 * What the serving app answered to one request, or the fault the sidecar put in its place.
 *
 * @param status      HTTP status
 * @param contentType content type; null when none was sent
 * @param body        payload, possibly empty
 * @param delivered   false when the app never answered (unreachable, or no answer before the deadline)
 * @param appDuration how long the app took to answer; null when it did not answer
 */
record AppResponse(int status, String contentType, byte[] body, boolean delivered, Duration appDuration) {
}
