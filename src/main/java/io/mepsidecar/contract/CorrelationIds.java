package io.mepsidecar.contract;

/**
 * What a correlation id may be: 1 to {@value #MAX_LENGTH} visible ASCII characters ({@code !} to {@code ~}). The id
 * travels in HTTP headers ({@code Mep-Correlation-Id}), Kafka headers and URLs, so anything else (control
 * characters, spaces, non-ASCII) is refused wherever an id enters the sidecar, and never echoed into a header.
 */
public final class CorrelationIds {

    public static final int MAX_LENGTH = 200;

    /** How a refused id is described in errors and logs, without repeating the id itself. */
    public static final String RULE = "1 to " + MAX_LENGTH + " visible ASCII characters";

    private CorrelationIds() {
    }

    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }
}
