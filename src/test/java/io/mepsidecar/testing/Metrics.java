package io.mepsidecar.testing;

import io.restassured.RestAssured;

import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample out of a Prometheus text exposition, as a user's scrape would see it. */
public final class Metrics {

    private Metrics() {
    }

    /** Scrapes the sidecar's Prometheus endpoint and reads {@code name{operation="..."}}. */
    public static double scrape(URL metricsUrl, String name, String operation) {
        String exposition = RestAssured.given().accept("text/plain").get(metricsUrl).asString();
        return value(exposition, name, "operation=\"" + operation + "\"");
    }

    /** The value of {@code name{labels}}, where {@code labels} is e.g. {@code operation="echo"}; 0 when absent. */
    public static double value(String exposition, String name, String labels) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = sample.matcher(exposition);
        while (matcher.find()) {
            if (matcher.group(1).contains(labels)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }
}
