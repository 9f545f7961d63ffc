package io.mepsidecar.testing;

import io.restassured.RestAssured;

import java.net.MalformedURLException;
import java.net.URL;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition, as a user's scrape would see it. */
public final class Metrics {

    private Metrics() {
    }

    /** Scrapes the sidecar's Prometheus endpoint and reads {@code name{operation="..."}}. */
    public static double scrape(URL metricsUrl, String name, String operation) {
        return value(scrape(metricsUrl), name, "operation=\"" + operation + "\"");
    }

    /** Scrapes a sidecar process's management port and reads the first sample of {@code name} with those labels. */
    public static double value(SidecarProcess sidecar, String name, String labels) {
        try {
            return value(scrape(new URL(sidecar.managementUrl() + "/q/metrics")), name, labels);
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String scrape(URL metricsUrl) {
        return RestAssured.given().accept("text/plain").get(metricsUrl).asString();
    }

    /**
     * The value of the first {@code name} sample whose labels include every one of {@code labels} (e.g.
     * {@code operation="echo",role="caller"}; empty for any); 0 when there is none.
     */
    public static double value(String exposition, String name, String labels) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE);
        Set<String> wanted = labelSet(labels);
        Matcher matcher = sample.matcher(exposition);
        while (matcher.find()) {
            if (labelSet(matcher.group(1)).containsAll(wanted)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }

    /** The sum of every {@code name} sample whose labels include every one of {@code labels}, e.g. all heap pools. */
    public static long sum(String exposition, String name, String labels) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE);
        Set<String> wanted = labelSet(labels);
        Matcher matcher = sample.matcher(exposition);
        double sum = 0;
        while (matcher.find()) {
            if (labelSet(matcher.group(1)).containsAll(wanted)) {
                sum += Double.parseDouble(matcher.group(2));
            }
        }
        return (long) sum;
    }

    private static Set<String> labelSet(String labels) {
        Set<String> set = new HashSet<>();
        if (labels != null) {
            Arrays.stream(labels.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(set::add);
        }
        return set;
    }
}
