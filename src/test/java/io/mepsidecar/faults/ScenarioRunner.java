package io.mepsidecar.faults;

import io.mepsidecar.testing.SidecarProcess;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Runs one scenario: the load starts, flows ({@link #WARM_UP} synchronous successes), the fault is injected (and
 * recovered from, as the scenario says), the load flows again ({@link #AFTER_FAULT} successes sent after the fault
 * ended, at most {@link #FLOW_TIMEOUT}), stops, and the accepted calls get {@link #RECOVERY_WINDOW} to be answered
 * or executed. Everything the row of the table needs is read then.
 */
final class ScenarioRunner {

    /** A scenario's fault and its recovery. */
    interface Fault {
        void inject(FaultContext context);
    }

    record Scenario(String name, String fault, Fault action) {
    }

    static final int WARM_UP = 30;
    static final int AFTER_FAULT = 30;
    static final Duration FLOW_TIMEOUT = Duration.ofSeconds(90);
    /**
     * Longer than the operation's 20 s timeout (a call whose caller lives has its result, 504 at worst, by then) and
     * than a share group's 30 s acquisition lock, after which a request held by a killed replica is delivered again.
     */
    static final Duration RECOVERY_WINDOW = Duration.ofSeconds(40);

    private final FaultTopology topology;
    private final HttpClient http;

    ScenarioRunner(FaultTopology topology, HttpClient http) {
        this.topology = topology;
        this.http = http;
    }

    ScenarioResult run(Scenario scenario) {
        long started = System.nanoTime();
        topology.scraper().scrapeAll();
        Map<SidecarProcess, Double> fetchedBefore = topology.scraper().lastValues();
        long producedBefore = topology.replyTopic().endOffsets();
        LoadGenerator load = new LoadGenerator(http, topology::callerUrls);
        FaultContext context = new FaultContext(topology, load.ledger());
        String error = null;
        load.start();
        try {
            context.awaitSyncSuccesses(WARM_UP, FLOW_TIMEOUT);
            scenario.action().inject(context);
            context.awaitSyncSuccesses(AFTER_FAULT, FLOW_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            error = e.toString();
        } finally {
            try {
                load.stop();
            } catch (RuntimeException e) {
                error = error == null ? e.toString() : error;
            }
        }
        CallLedger ledger = load.ledger();
        AcceptedCallsCheck.Outcome outcome = new AcceptedCallsCheck(http, topology).await(ledger, RECOVERY_WINDOW);
        topology.scraper().scrapeAll();
        Map<String, Integer> executions = topology.executionsByBody();
        List<CallLedger.SyncCall> sync = List.copyOf(ledger.sync);
        return new ScenarioResult(scenario.name(), scenario.fault(), Duration.ofNanos(System.nanoTime() - started),
                error,
                sync.size(), (int) sync.stream().filter(CallLedger.SyncCall::succeeded).count(),
                (int) sync.stream().filter(c -> c.attempts.get() > 1).count(),
                ledger.async.size(), outcome.asyncResults().size(),
                (int) outcome.asyncResults().values().stream().filter(s -> s < 200 || s > 299).count(),
                outcome.asyncLost().size(), AcceptedCallsCheck.describe(outcome.asyncLost(), topology, executions),
                ledger.oneWay.size(), outcome.oneWayLost().size(),
                AcceptedCallsCheck.describe(outcome.oneWayLost(), topology, executions),
                Executions.of(sync.stream().map(c -> c.token).collect(Collectors.toList()), executions),
                Executions.of(ledger.asyncCalls().stream().map(CallLedger.AcceptedCall::token)
                        .collect(Collectors.toList()), executions),
                Executions.of(ledger.oneWayCalls().stream().map(CallLedger.AcceptedCall::token)
                        .collect(Collectors.toList()), executions),
                fetchedSince(fetchedBefore), topology.replyTopic().endOffsets() - producedBefore,
                backAfter(context.faults(), ledger),
                "sync " + ledger.answersOf("sync") + "; async " + ledger.answersOf("async") + "; one-way "
                        + ledger.answersOf("one-way"),
                ledger.skipped.get());
    }

    /** What the counter grew by in every caller process, each from its value at the start (0 if it started since). */
    private OptionalDouble fetchedSince(Map<SidecarProcess, Double> before) {
        Map<SidecarProcess, Double> now = topology.scraper().lastValues();
        if (now.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(now.entrySet().stream()
                .mapToDouble(e -> e.getValue() - before.getOrDefault(e.getKey(), 0.0)).sum());
    }

    /** Per fault: seconds until the first successful synchronous call sent at or after it was answered. */
    private static List<OptionalDouble> backAfter(List<Long> faults, CallLedger ledger) {
        return faults.stream().map(fault -> {
            long first = ledger.syncSuccesses.stream().filter(s -> s.sentAt() >= fault)
                    .mapToLong(CallLedger.Success::answeredAt).min().orElse(Long.MIN_VALUE);
            return first == Long.MIN_VALUE ? OptionalDouble.empty() : OptionalDouble.of((first - fault) / 1e9);
        }).collect(Collectors.toList());
    }
}
