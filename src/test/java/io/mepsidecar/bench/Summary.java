package io.mepsidecar.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything one benchmark run measured, as written to {@code summary.json}. Latencies in milliseconds, throughput
 * in calls per second, memory in MiB (per-call figures in bytes).
 */
record Summary(Machine machine, String date, Settings settings, List<Run> runs, Memory memory) {

    /**
     * How far the rounds of one mode and concurrency were apart: the lowest and highest p50, p99 and throughput of
     * the {@code rounds} measured.
     */
    record Spread(int rounds, double p50Min, double p50Max, double p99Min, double p99Max, double throughputMin,
            double throughputMax) {
    }

    /**
     * CPU time per 1,000 calls of the sidecars a run went through (user and system, from {@code /proc}; the median of
     * the rounds), in seconds.
     */
    record Cost(double callerCpuPer1000, double serviceCpuPer1000) {
    }

    /** Where it ran. */
    record Machine(int cores, long memoryMiB, String os, String java, String cpu) {
    }

    /** What it ran. */
    record Settings(List<Integer> concurrency, long warmupSeconds, long durationSeconds, int payloadBytes,
            int partitions, int pendingCalls, int rounds, boolean smoke) {
    }

    /**
     * One mode at one concurrency, over the rounds: each latency figure and the throughput are the median of the
     * rounds' figures; {@code percentiles} (for the plot) come from all rounds' calls together; calls and failures are
     * summed.
     *
     * @param mode {@code baseline} (plain kafka-clients request-reply), {@code direct-http} (the echo app without
     *             Kafka), {@code sidecar} (through both sidecars, synchronous, the service sidecar on a consumer
     *             group), {@code sidecar-share} (the same, the service sidecar on a share group) or
     *             {@code sidecar-async} ({@code respond-async, wait} + long-poll, consumer group)
     * @param hops the median of each stretch of a call ({@link Hops#SEGMENTS}) in ms, from a separate traced run;
     *             null when not traced
     * @param cost null for modes without a sidecar
     */
    record Run(String mode, int concurrency, double p50, double p90, double p99, double p999, double max,
            double throughput, long calls, long failures, List<double[]> percentiles, Spread spread,
            Map<String, Double> hops, Cost cost) {
    }

    /** What each sidecar process costs, and what pending asynchronous calls cost the caller sidecar. */
    record Memory(List<Sidecar> sidecars, Pending pending) {

        /** The sidecar named {@code name}, if measured. */
        Sidecar sidecar(String name) {
            return sidecars == null ? null
                    : sidecars.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
        }
    }

    /**
     * One sidecar process, after start-up and before any load (idle), and under load: resident set size (MiB), heap
     * in use after a full GC (MiB), threads, CPU used while idle (percent of one core), and the time from its start
     * (the JVM launched) until its readiness probe first answered UP, in seconds.
     *
     * @param name {@code caller}, {@code service} (consumer group) or {@code service-share} (share group)
     */
    record Sidecar(String name, double idleRssMiB, double loadRssMiB, double idleHeapMiB, int idleThreads,
            double idleCpuPercent, double readySeconds) {
    }

    /** The caller sidecar before and after {@code calls} asynchronous calls were left pending (after a full GC). */
    record Pending(int calls, double heapBeforeMiB, double heapAfterMiB, double rssBeforeMiB, double rssAfterMiB,
            double heapBytesPerCall, double rssBytesPerCall) {
    }

    /** The run of {@code mode} at {@code concurrency}, if measured. */
    Run run(String mode, int concurrency) {
        return runs.stream().filter(r -> r.mode().equals(mode) && r.concurrency() == concurrency).findFirst()
                .orElse(null);
    }
}
