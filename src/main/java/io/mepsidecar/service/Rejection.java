package io.mepsidecar.service;

/**
 * A record that will not be served, and why.
 *
 * @param reason the code that goes into {@code dead-letter-reason}
 * @param detail what exactly is wrong, for {@code dead-letter-cause} and the log
 */
record Rejection(DeadLetterReason reason, String detail) implements Decoded {
}
