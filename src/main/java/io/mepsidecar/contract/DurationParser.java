package io.mepsidecar.contract;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations as written in the contract: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT5S}. */
public final class DurationParser {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

    private DurationParser() {
    }

    public static Duration parse(String text) {
        String value = text == null ? "" : text.trim();
        Matcher matcher = SIMPLE.matcher(value);
        try {
            return matcher.matches() ? simple(Long.parseLong(matcher.group(1)), matcher.group(2)) : Duration.parse(value);
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new ContractException("'" + text + "' is not a duration; write e.g. 250ms, 5s, 2m, 1h or PT5S", e);
        }
    }

    /**
     * The shortest contract text {@link #parse} reads back as {@code duration}: {@code 250ms}, {@code 5s},
     * {@code 2m}, {@code 1h}; ISO-8601 for what is not a whole number of milliseconds.
     */
    public static String format(Duration duration) {
        if (duration.getNano() % 1_000_000 != 0 || duration.isNegative()
                || duration.getSeconds() >= Long.MAX_VALUE / 1000) {
            return duration.toString();
        }
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static Duration simple(long amount, String unit) {
        switch (unit) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            default:
                return Duration.ofHours(amount);
        }
    }
}
