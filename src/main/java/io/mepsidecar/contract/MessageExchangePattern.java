package io.mepsidecar.contract;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The message exchange pattern of an operation: what travels on the wire, whatever style the caller or the
 * service chose.
 */
public enum MessageExchangePattern {
    /** One request, one correlated reply. */
    REQUEST_REPLY("request-reply"),
    /** One request, never a reply. */
    ONE_WAY("one-way");

    private final String wireName;

    MessageExchangePattern(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in the contract file and in documentation. */
    public String wireName() {
        return wireName;
    }

    /** Parses a contract value such as {@code request-reply}; throws {@link ContractException} on anything else. */
    public static MessageExchangePattern fromWireName(String value) {
        for (MessageExchangePattern pattern : values()) {
            if (pattern.wireName.equals(value)) {
                return pattern;
            }
        }
        throw new ContractException("unknown pattern '" + value + "', expected one of " + Arrays.stream(values())
                .map(MessageExchangePattern::wireName).collect(Collectors.joining(", ")));
    }
}
