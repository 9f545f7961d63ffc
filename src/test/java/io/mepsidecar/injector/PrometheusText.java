package io.mepsidecar.injector;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample from the Prometheus text format. */
final class PrometheusText {

    private PrometheusText() {
    }

    /** The value of {@code name{label="value"}}; fails when the series is absent. */
    static double value(String text, String name, String label, String labelValue) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(label + "=\"" + labelValue
                + "\"") + "[^}]*} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("no series " + name + "{" + label + "=\"" + labelValue + "\"} in:\n" + text);
        }
        return Double.parseDouble(matcher.group(1));
    }
}
