package io.mepsidecar.faults;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;

/** What a scenario's fault works with: the topology, the running load, and the moments it injected faults. */
final class FaultContext {

    private final FaultTopology topology;
    private final CallLedger ledger;
    private final List<Long> faults = new CopyOnWriteArrayList<>();

    FaultContext(FaultTopology topology, CallLedger ledger) {
        this.topology = topology;
        this.ledger = ledger;
    }

    FaultTopology topology() {
        return topology;
    }

    /**
     * Notes that a fault took effect now (a killed process is gone, a stopping sidecar reports not ready, the broker
     * has stopped, the app's server is closed; a scale-down begins): the time until calls succeed again is measured
     * from here, so calls that slipped in before a signal took effect do not count.
     */
    void faultNow() {
        faults.add(System.nanoTime());
    }

    List<Long> faults() {
        return List.copyOf(faults);
    }

    /**
     * Waits until {@code count} synchronous calls sent from now on succeeded (the load flows again, or flows through
     * a new replica for a while); fails after {@code timeout}.
     */
    void awaitSyncSuccesses(int count, Duration timeout) {
        long since = System.nanoTime();
        Awaitility.await(count + " synchronous calls succeed").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> ledger.syncSuccessesSentAfter(since) >= count);
    }
}
