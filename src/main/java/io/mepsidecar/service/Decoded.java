package io.mepsidecar.service;

/** A request record as read: the request for the app, or the rejection that dead-letters it. */
sealed interface Decoded permits AppRequest, Rejection {
}
