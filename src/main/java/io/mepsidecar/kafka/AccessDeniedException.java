package io.mepsidecar.kafka;

/**
 * Kafka refused something the sidecar needs, and the message says what in the words of {@link KafkaAccess}: the
 * operation, the resource and the principal. Trying again helps only once the ACL is granted.
 */
public class AccessDeniedException extends RuntimeException {

    public AccessDeniedException(String message) {
        super(message, null, false, false);
    }
}
