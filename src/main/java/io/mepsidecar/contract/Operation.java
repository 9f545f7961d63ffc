package io.mepsidecar.contract;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One operation of the contract.
 *
 * @param name            the operation name, used in URLs, metrics labels and the {@code ce_type} header
 * @param pattern         the message exchange pattern
 * @param topic           the Kafka topic requests are published to
 * @param timeout         how long a caller waits for the reply by default; for one-way operations, how long the
 *                        serving sidecar waits for its app to take a message
 * @param expires         one-way only: how old a message may be when it is read; older ones are dead-lettered.
 *                        Empty: one-way messages never expire
 * @param deadLetterTopic where the serving sidecar puts records it cannot serve
 * @param dialect         the headers a calling sidecar publishes the correlation id and reply address in; a
 *                        serving sidecar answers in the dialect of each request, whatever this says
 */
public record Operation(String name, MessageExchangePattern pattern, String topic, Duration timeout,
        Optional<Duration> expires, String deadLetterTopic, Dialect dialect) {

    /** Suffix of the default dead-letter topic: {@code <topic>.dlq}. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Operation {
        Objects.requireNonNull(pattern, "pattern");
        dialect = dialect == null ? Dialect.DEFAULT : dialect;
        if (!isValidName(name)) {
            throw new ContractException("operation name '" + name
                    + "' must be 1-64 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit");
        }
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new ContractException("operation '" + name + "': topic '" + topic + "' is not a valid Kafka topic name");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new ContractException("operation '" + name + "': timeout must be positive");
        }
        expires = expires == null ? Optional.empty() : expires;
        if (expires.isPresent() && pattern != MessageExchangePattern.ONE_WAY) {
            throw new ContractException("operation '" + name + "': 'expires' is for one-way operations; a"
                    + " request-reply request already ends at its caller's deadline ('timeout')");
        }
        if (expires.filter(d -> d.isNegative() || d.isZero()).isPresent()) {
            throw new ContractException("operation '" + name + "': expires must be positive");
        }
        deadLetterTopic = deadLetterTopic == null ? topic + DEAD_LETTER_SUFFIX : deadLetterTopic;
        if (!TOPIC.matcher(deadLetterTopic).matches()) {
            throw new ContractException("operation '" + name + "': dead-letter-topic '" + deadLetterTopic
                    + "' is not a valid Kafka topic name");
        }
        if (deadLetterTopic.equals(topic)) {
            throw new ContractException("operation '" + name + "': dead-letter-topic must not be its request topic");
        }
    }

    /** An operation in the CloudEvents dialect. */
    public Operation(String name, MessageExchangePattern pattern, String topic, Duration timeout,
            Optional<Duration> expires, String deadLetterTopic) {
        this(name, pattern, topic, timeout, expires, deadLetterTopic, Dialect.DEFAULT);
    }

    /** An operation with the defaults: no expiry, dead letters to {@code <topic>.dlq}, the CloudEvents dialect. */
    public Operation(String name, MessageExchangePattern pattern, String topic, Duration timeout) {
        this(name, pattern, topic, timeout, Optional.empty(), null, Dialect.DEFAULT);
    }

    public boolean expectsReply() {
        return pattern == MessageExchangePattern.REQUEST_REPLY;
    }

    /** Whether {@code name} may name an operation: 1-64 lower-case letters, digits, '.' or '-', alphanumeric ends. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
