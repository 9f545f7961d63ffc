package io.mepsidecar.injector;

import io.mepsidecar.contract.ContractException;
import io.mepsidecar.contract.DurationParser;
import io.mepsidecar.contract.Operation;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks of the values that annotations and the config file give: each returns the value to use or throws
 * {@link IllegalArgumentException} with a message that says what is expected.
 */
final class ValueChecks {

    private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    /** DNS-1123 subdomain: dot-separated labels of lower case, digits and '-', alphanumeric at both ends. */
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(DNS_LABEL + "(\\." + DNS_LABEL + ")*");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final Set<String> LOG_LEVELS = Set.of("OFF", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG",
            "TRACE", "ALL", "SEVERE", "CONFIG", "FINE", "FINER", "FINEST");
    private static final Set<String> CONSUMPTIONS = Set.of("auto", "share-group", "consumer-group");

    private ValueChecks() {
    }

    static int port(String text) {
        int port = integer(text, "a port from 1 to 65535");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("expected a port from 1 to 65535");
        }
        return port;
    }

    static int positive(String text) {
        int value = integer(text, "a positive integer");
        if (value < 1) {
            throw new IllegalArgumentException("expected a positive integer");
        }
        return value;
    }

    static int notNegative(String text) {
        int value = integer(text, "an integer of 0 or more");
        if (value < 0) {
            throw new IllegalArgumentException("expected an integer of 0 or more");
        }
        return value;
    }

    static String quantity(String text) {
        Quantities.parse(text);
        return text;
    }

    static Duration duration(String text) {
        try {
            Duration duration = DurationParser.parse(text);
            if (duration.isNegative()) {
                throw new IllegalArgumentException("expected a duration that is not negative");
            }
            return duration;
        } catch (ContractException e) {
            throw new IllegalArgumentException("expected a duration such as 20s, 1m or PT20S", e);
        }
    }

    static String logLevel(String text) {
        String level = text.toUpperCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw new IllegalArgumentException("expected a log level: ERROR, WARN, INFO, DEBUG, TRACE, ...");
        }
        return level;
    }

    static String consumption(String text) {
        if (!CONSUMPTIONS.contains(text)) {
            throw new IllegalArgumentException("expected auto, share-group or consumer-group");
        }
        return text;
    }

    static boolean bool(String text) {
        if (!"true".equals(text) && !"false".equals(text)) {
            throw new IllegalArgumentException("expected true or false");
        }
        return Boolean.parseBoolean(text);
    }

    static String absolutePath(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("expected a path that starts with /");
        }
        return text;
    }

    static String objectName(String text) {
        if (text.length() > 253 || !DNS_SUBDOMAIN.matcher(text).matches()) {
            throw new IllegalArgumentException("expected a Kubernetes object name (lower case, digits, '-' and '.')");
        }
        return text;
    }

    /**
     * Comma-separated operation names, each by the contract's rule for names; blanks around a name are dropped.
     *
     * @return the names joined by commas alone
     */
    static String operationNames(String text) {
        List<String> names = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String name = part.trim();
            if (!Operation.isValidName(name)) {
                throw new IllegalArgumentException("expected operation names separated by commas (1-64 lower-case"
                        + " letters, digits, '.' or '-', as in the contract): "
                        + (name.isEmpty() ? "a name is empty" : "'" + name + "' is not one"));
            }
            names.add(name);
        }
        return String.join(",", names);
    }

    static String envName(String text) {
        if (!ENV_NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("expected an environment variable name");
        }
        return text;
    }

    /**
     * Empty, or an absolute {@code http} or {@code https} URL with a host, a port up to 65535 and no user, query or
     * fragment: an endpoint the sidecar's OTLP/HTTP exporter can send to (the sidecar does not start with a URL of
     * another scheme). The chart's schema has a pattern for the same rules (HelmChartTest keeps them together).
     */
    static String optionalHttpUrl(String text) {
        if (text.isEmpty()) {
            return text;
        }
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getPort() <= 65_535 && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && uri.getRawUserInfo() == null) {
                return text;
            }
        } catch (URISyntaxException e) {
            // reported below, with what is expected
        }
        throw new IllegalArgumentException("expected an http:// or https:// URL with a host, an optional port up to"
                + " 65535 and a path, without query or fragment, such as"
                + " http://otel-collector.observability:4318/v1/traces");
    }

    static String notBlank(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("expected a value that is not empty");
        }
        return text;
    }

    private static int integer(String text, String expected) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + expected, e);
        }
    }
}
