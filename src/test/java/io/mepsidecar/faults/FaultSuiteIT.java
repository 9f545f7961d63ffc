package io.mepsidecar.faults;

import io.mepsidecar.faults.ScenarioRunner.Scenario;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.fail;

/**
 * The fault suite ({@code ./mvnw -Pfaults verify}): a bounded load of synchronous, asynchronous and one-way calls
 * through caller sidecar processes to service sidecar processes on a real broker, while the faults Kubernetes and
 * crashes bring happen one after another: a sidecar killed (SIGKILL) on either side, the broker restarted, the serving
 * app crashed, each side scaled 1→3→1, sidecars stopped with SIGTERM. Each scenario keeps a ledger of the calls the
 * caller sidecars accepted and checks, after a recovery window, that every accepted asynchronous call got its result
 * and every accepted one-way call ran at a serving app.
 * <p>
 * All scenarios run before anything is asserted; the table of all of them goes to
 * {@code target/faults/reliability.md} and, when a scenario lost an accepted call or did not run to its end, into the
 * failure message (docs/reliability.md explains the columns).
 */
class FaultSuiteIT {

    private static final Path REPORT = Path.of("target", "faults", "reliability.md");

    @Test
    void noAcceptedCallIsLostWhateverFailsAndComesBack() {
        long started = System.nanoTime();
        List<ScenarioResult> results = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        String consumption;
        try (FaultTopology topology = FaultTopology.start()) {
            consumption = topology.consumption();
            ScenarioRunner runner = new ScenarioRunner(topology, http);
            for (Scenario scenario : selected(scenarios())) {
                long scenarioStarted = System.nanoTime();
                try {
                    results.add(runner.run(scenario));
                } catch (RuntimeException e) {
                    results.add(ScenarioResult.failed(scenario.name(), scenario.fault(),
                            Duration.ofNanos(System.nanoTime() - scenarioStarted), e.toString()));
                }
                topology.awaitAllReady();
            }
        }
        Path report = ReliabilityReport.write(REPORT, results, consumption,
                Duration.ofNanos(System.nanoTime() - started));
        int lost = results.stream().mapToInt(ScenarioResult::lost).sum();
        boolean unfinished = results.stream().anyMatch(r -> r.error() != null);
        if (lost > 0 || unfinished) {
            fail((lost > 0 ? lost + " accepted calls lost" : "no accepted call lost")
                    + (unfinished ? "; some scenarios did not run to their end" : "") + " (also in " + report
                    + "):\n\n" + ReliabilityReport.table(results) + "\n" + ReliabilityReport.details(results));
        }
    }

    /** All scenarios, or those numbered in {@code -Dfaults.scenarios} (e.g. {@code 1,4}) to repeat a few. */
    private static List<Scenario> selected(List<Scenario> all) {
        String numbers = System.getProperty("faults.scenarios", "").trim();
        if (numbers.isEmpty()) {
            return all;
        }
        List<Scenario> selected = new ArrayList<>();
        for (String number : numbers.split(",")) {
            selected.add(all.get(Integer.parseInt(number.trim()) - 1));
        }
        return selected;
    }

    /** The scenarios, in order; each leaves one caller replica and one service replica, as it found them. */
    private static List<Scenario> scenarios() {
        return List.of(
                new Scenario("service sidecar killed", "kill -9 of the service sidecar, then the same container "
                        + "starts again (same instance id and ports)", context -> {
                            context.topology().killService("service-a");
                            context.faultNow();
                            context.topology().restartService("service-a");
                        }),
                new Scenario("caller sidecar killed", "kill -9 of the caller sidecar, then the same container starts "
                        + "again (same instance id and ports); its app keeps calling it", context -> {
                            context.topology().killCaller("caller-a");
                            context.faultNow();
                            context.topology().restartCaller("caller-a");
                        }),
                new Scenario("broker restarted", "the broker stops until the caller sidecars are not ready, then "
                        + "starts again on the same port and log directory", context -> {
                            context.topology().stopBroker();
                            context.faultNow();
                            context.topology().restartBrokerOnceNoticed();
                        }),
                new Scenario("serving app crashed", "the serving app's HTTP server stops at once (requests at work "
                        + "broken off) until its sidecar notices, then starts again on the same port", context -> {
                            context.topology().crashApp("service-a");
                            context.faultNow();
                            context.topology().awaitAppNoticedAway("service-a");
                            context.topology().restartApp("service-a");
                        }),
                new Scenario("service scaled 1→3→1", "two more service replicas, each with its own app, until both "
                        + "served requests; then both get SIGTERM (the fault is this scale-down)", context -> {
                            FaultTopology topology = context.topology();
                            topology.startService("service-b");
                            topology.startService("service-c");
                            FaultTopology.within(Duration.ofSeconds(30), "new service replicas serve",
                                    () -> topology.workReceivedBy("service-b") >= 5
                                            && topology.workReceivedBy("service-c") >= 5);
                            context.faultNow();
                            topology.removeService("service-b");
                            topology.removeService("service-c");
                        }),
                new Scenario("caller scaled 1→3→1", "two more caller replicas (same app, own instance ids), the load "
                        + "spread over all three; then the two leave the load and get SIGTERM (the fault is this "
                        + "scale-down); their accepted calls' results are asked of the remaining replica",
                        context -> {
                            FaultTopology topology = context.topology();
                            topology.startCaller("caller-b");
                            topology.startCaller("caller-c");
                            context.awaitSyncSuccesses(60, ScenarioRunner.FLOW_TIMEOUT);
                            context.faultNow();
                            topology.removeCaller("caller-b");
                            topology.removeCaller("caller-c");
                        }),
                new Scenario("sidecars stopped (SIGTERM)", "SIGTERM of the caller sidecar, restarted once it exited; "
                        + "when calls flow again, SIGTERM of the service sidecar, restarted the same way (two faults)",
                        context -> {
                            FaultTopology topology = context.topology();
                            topology.terminateCaller("caller-a", context::faultNow);
                            topology.restartCaller("caller-a");
                            context.awaitSyncSuccesses(ScenarioRunner.AFTER_FAULT, ScenarioRunner.FLOW_TIMEOUT);
                            topology.terminateService("service-a", context::faultNow);
                            topology.restartService("service-a");
                        }));
    }
}
