package io.mepsidecar.bench;

import java.util.List;

/**
 * Everything one benchmark run measured, as written to {@code summary.json}. Latencies in milliseconds, throughput
 * in calls per second, memory in MiB (per-call figures in bytes).
 */
record Summary(Machine machine, String date, Settings settings, List<Run> runs, Memory memory) {

    /**
     * Mean time per sidecar call, from the sidecars' own metrics: the whole call at the caller sidecar, the service
     * sidecar's part (request record received to reply published), the app's part, and what remains: the caller
     * sidecar plus both Kafka hops ({@code caller - service}), and the service sidecar's own work
     * ({@code service - app}).
     */
    record Breakdown(double callerMs, double serviceMs, double appMs, double callerAndKafkaMs,
            double serviceSidecarMs) {
    }

    /** Where it ran. */
    record Machine(int cores, long memoryMiB, String os, String java, String cpu) {
    }

    /** What it ran. */
    record Settings(List<Integer> concurrency, long warmupSeconds, long durationSeconds, int payloadBytes,
            int partitions, int pendingCalls, boolean smoke) {
    }

    /**
     * One closed-loop run of one mode at one concurrency.
     *
     * @param mode {@code baseline} (plain kafka-clients request-reply), {@code direct-http} (the echo app without
     *             Kafka), {@code sidecar} (through both sidecars, synchronous, the service sidecar on a consumer
     *             group), {@code sidecar-share} (the same, the service sidecar on a share group) or
     *             {@code sidecar-async} ({@code respond-async, wait} + long-poll, consumer group)
     */
    record Run(String mode, int concurrency, double p50, double p90, double p99, double p999, double max,
            double throughput, long calls, long failures, List<double[]> percentiles, Breakdown breakdown) {
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
     * in use after a full GC (MiB), threads, and CPU used while idle (percent of one core).
     *
     * @param name {@code caller}, {@code service} (consumer group) or {@code service-share} (share group)
     */
    record Sidecar(String name, double idleRssMiB, double loadRssMiB, double idleHeapMiB, int idleThreads,
            double idleCpuPercent) {
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
