package io.mepsidecar.bench;

import io.restassured.RestAssured;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a sidecar call's time goes, from the sidecars' own histograms (sum and count before and after a run): the
 * whole call at the caller sidecar, the service sidecar's part (record received to reply published) and the app's.
 */
final class Breakdown {

    private static final String CALL = "mep_call_duration_seconds";
    private static final String APP = "mep_call_app_duration_seconds";

    private final String callerMetrics;
    private final String serviceMetrics;
    private final String operation;
    private double[] before;

    Breakdown(String callerManagementUrl, String serviceManagementUrl, String operation) {
        this.callerMetrics = callerManagementUrl + "/q/metrics";
        this.serviceMetrics = serviceManagementUrl + "/q/metrics";
        this.operation = operation;
    }

    void start() {
        before = read();
    }

    /** Mean milliseconds per call over the run: caller total, service sidecar total, app. */
    Summary.Breakdown stop() {
        double[] after = read();
        double callerMs = mean(after, 0);
        double serviceMs = mean(after, 2);
        double appMs = mean(after, 4);
        return new Summary.Breakdown(callerMs, serviceMs, appMs, callerMs - serviceMs, serviceMs - appMs);
    }

    private double mean(double[] after, int sumIndex) {
        double count = after[sumIndex + 1] - before[sumIndex + 1];
        return count <= 0 ? 0 : (after[sumIndex] - before[sumIndex]) * 1000 / count;
    }

    private double[] read() {
        String caller = RestAssured.given().accept("text/plain").get(callerMetrics).asString();
        String service = RestAssured.given().accept("text/plain").get(serviceMetrics).asString();
        return new double[] {
            sample(caller, CALL + "_sum", "role=\"caller\""), sample(caller, CALL + "_count", "role=\"caller\""),
            sample(service, CALL + "_sum", "role=\"service\""), sample(service, CALL + "_count", "role=\"service\""),
            sample(service, APP + "_sum", ""), sample(service, APP + "_count", "")};
    }

    private double sample(String exposition, String name, String label) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        while (matcher.find()) {
            if (matcher.group(1).contains("operation=\"" + operation + "\"") && matcher.group(1).contains(label)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }
}
