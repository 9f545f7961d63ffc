package io.mepsidecar.faults;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * One row of the reliability table: what the load of one scenario sent, what the caller sidecars accepted, what came
 * back, what was lost, how often the serving apps ran each call, and how long calls failed after the fault.
 *
 * @param repliesFetched sum over the caller processes of what {@link CallerMetricsScraper#COUNTER} grew by; empty
 *                       when no process exposes it
 * @param backAfter      per fault of the scenario: seconds from the fault to the first successful synchronous call
 *                       sent after it; empty when none succeeded
 */
record ScenarioResult(String name, String fault, Duration took, String error,
        int syncCalls, int syncOk, int syncRetried,
        int asyncAccepted, int asyncAnswered, int asyncAnsweredNot2xx, int asyncLost, String asyncLostDetail,
        int oneWayAccepted, int oneWayLost, String oneWayLostDetail,
        Executions syncExecutions, Executions asyncExecutions, Executions oneWayExecutions,
        OptionalDouble repliesFetched, long repliesProduced, List<OptionalDouble> backAfter,
        String answers, int skippedTicks) {

    /** A scenario that could not even be measured (the topology was broken before or after its load). */
    static ScenarioResult failed(String name, String fault, Duration took, String error) {
        Executions none = new Executions(0, 0, 0, 0);
        return new ScenarioResult(name, fault, took, error, 0, 0, 0, 0, 0, 0, 0, "", 0, 0, "", none, none, none,
                OptionalDouble.empty(), 0, List.of(), "none", 0);
    }

    int lost() {
        return asyncLost + oneWayLost;
    }

    String fetchedText() {
        return repliesFetched.isPresent() ? Long.toString(Math.round(repliesFetched.getAsDouble())) : "n/a";
    }

    String backAfterText() {
        if (backAfter.isEmpty()) {
            return "–";
        }
        return backAfter.stream().map(s -> s.isPresent() ? String.format("%.1f s", s.getAsDouble()) : "never")
                .collect(Collectors.joining(" / "));
    }
}
