package io.mepsidecar.contract;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One operation of the contract.
 *
 * @param name    the operation name, used in URLs, metrics labels and the {@code ce_type} header
 * @param pattern the message exchange pattern
 * @param topic   the Kafka topic requests are published to
 * @param timeout how long a caller waits for the reply by default
 */
public record Operation(String name, MessageExchangePattern pattern, String topic, Duration timeout) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Operation {
        Objects.requireNonNull(pattern, "pattern");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ContractException("operation name '" + name
                    + "' must be 1-64 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit");
        }
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new ContractException("operation '" + name + "': topic '" + topic + "' is not a valid Kafka topic name");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new ContractException("operation '" + name + "': timeout must be positive");
        }
    }

    public boolean expectsReply() {
        return pattern == MessageExchangePattern.REQUEST_REPLY;
    }
}
