package io.mepsidecar.service;

/**
 * What the serving app (or, for a fault reaching it, the sidecar) answered to one request.
 *
 * @param status      HTTP status
 * @param contentType content type; null when none was sent
 * @param body        payload, possibly empty
 */
record AppResponse(int status, String contentType, byte[] body) {
}
