package io.mepsidecar.kafka;

/** A record was not sent because its topic does not exist; sending it again will not help until it is created. */
public class MissingTopicException extends RuntimeException {

    public MissingTopicException(String topic) {
        super("topic " + topic + " does not exist", null, false, false);
    }
}
