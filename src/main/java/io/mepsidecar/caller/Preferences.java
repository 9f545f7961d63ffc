package io.mepsidecar.caller;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the caller asked for in its {@code Prefer} headers (RFC 7240): {@code respond-async} and {@code wait=N}
 * (seconds). Other preferences are ignored, as the RFC requires; a malformed {@code wait} is ignored too.
 *
 * @param respondAsync the caller prefers 202 + {@code Location} to waiting
 * @param waitFor      how long the caller is willing to wait for the result before a 202
 */
public record Preferences(boolean respondAsync, Optional<Duration> waitFor) {

    public static final Preferences NONE = new Preferences(false, Optional.empty());

    /** Parses every {@code Prefer} header value; each may hold several comma-separated preferences. */
    public static Preferences parse(List<String> headerValues) {
        if (headerValues == null || headerValues.isEmpty()) {
            return NONE;
        }
        boolean respondAsync = false;
        Optional<Duration> wait = Optional.empty();
        for (String value : headerValues) {
            for (String preference : value.split(",")) {
                String token = preference.split(";", 2)[0].trim();
                String name = token.split("=", 2)[0].trim().toLowerCase(Locale.ROOT);
                if (name.equals("respond-async")) {
                    respondAsync = true;
                } else if (name.equals("wait") && token.contains("=")) {
                    wait = wait.isPresent() ? wait : seconds(token.split("=", 2)[1]);
                }
            }
        }
        return new Preferences(respondAsync, wait);
    }

    private static Optional<Duration> seconds(String value) {
        try {
            long seconds = Long.parseLong(value.trim().replace("\"", ""));
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(Math.min(seconds, 86_400)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
