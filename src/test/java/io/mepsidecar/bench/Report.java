package io.mepsidecar.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Writes one benchmark run to a directory: {@code summary.json} (the {@link Summary} as is), {@code results.md}
 * (tables per concurrency, the goals judged from the numbers, memory) and {@code latency.png} (latency by
 * percentile, one panel per concurrency, drawn by {@link LatencyPlot}).
 */
final class Report {

    /** The order modes appear in tables and legends; modes not listed here follow in the order measured. */
    static final List<String> MODES = List.of("baseline", "direct-http", "sidecar", "sidecar-share",
            "sidecar-async");

    private static final String BASELINE = "baseline";
    /** The synchronous sidecar modes, compared with the baseline and judged against the goals. */
    private static final List<String> SIDECARS = List.of("sidecar", "sidecar-share");

    private Report() {
    }

    static void write(Summary summary, Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("summary.json").toFile(), summary);
        Files.writeString(dir.resolve("results.md"), markdown(summary));
        LatencyPlot.write(summary, dir.resolve("latency.png"));
    }

    static String markdown(Summary summary) {
        StringBuilder md = new StringBuilder("# Benchmark results\n\n");
        md.append(header(summary)).append("\n\n");
        for (int concurrency : concurrencies(summary)) {
            md.append(concurrencyTable(summary, concurrency)).append('\n');
        }
        md.append(goals(summary)).append('\n');
        md.append(hops(summary));
        md.append(cost(summary));
        md.append(memory(summary.memory()));
        return md.toString();
    }

    /**
     * Where a sidecar call's time goes, hop by hop (medians of a traced run, one column per traced mode and
     * concurrency); empty when no run was traced.
     */
    private static String hops(Summary summary) {
        List<Summary.Run> traced = new ArrayList<>();
        for (int concurrency : concurrencies(summary)) {
            runsAt(summary, concurrency).stream().filter(run -> run.hops() != null && !run.hops().isEmpty())
                    .forEach(traced::add);
        }
        if (traced.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Where a sidecar call's time goes, hop by hop (medians, ms)\n\n"
                + "From a separate run through a caller sidecar with `mep.debug.hop-timestamps`; each stretch is the"
                + " median of its own, so they need not add up to the call's median.\n\n| stretch |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Summary.Run run : traced) {
            md.append(' ').append(run.mode()).append(" at ").append(run.concurrency()).append(" |");
            rule.append("---:|");
        }
        md.append('\n').append(rule).append('\n');
        for (Hops.Segment segment : Hops.SEGMENTS) {
            List<String> cells = new ArrayList<>(List.of(segment.name()));
            for (Summary.Run run : traced) {
                Double median = run.hops().get(segment.name());
                cells.add(median == null ? "" : format("%.3f", median));
            }
            md.append(row(cells.toArray(new String[0])));
        }
        return md.append('\n').toString();
    }

    /** CPU seconds per 1,000 calls of each sidecar, by mode and concurrency; empty when none was measured. */
    private static String cost(Summary summary) {
        StringBuilder md = new StringBuilder();
        for (int concurrency : concurrencies(summary)) {
            for (Summary.Run run : runsAt(summary, concurrency)) {
                if (run.cost() == null) {
                    continue;
                }
                if (md.length() == 0) {
                    md.append("## CPU per 1,000 calls (seconds, user + system, median of the rounds)\n\n")
                            .append("| concurrency | mode | calls/s | caller sidecar | service sidecar |\n"
                                    + "|---:|---|---:|---:|---:|\n");
                }
                md.append(row(Integer.toString(concurrency), run.mode(), calls(run.throughput()),
                        format("%.3f", run.cost().callerCpuPer1000()), format("%.3f", run.cost().serviceCpuPer1000())));
            }
        }
        return md.length() == 0 ? "" : md.append('\n').toString();
    }

    /** The concurrency levels that have at least one run, ascending. */
    static List<Integer> concurrencies(Summary summary) {
        TreeSet<Integer> levels = new TreeSet<>();
        runs(summary).forEach(run -> levels.add(run.concurrency()));
        return List.copyOf(levels);
    }

    /** The runs at {@code concurrency}, in {@link #MODES} order. */
    static List<Summary.Run> runsAt(Summary summary, int concurrency) {
        List<Summary.Run> at = new ArrayList<>();
        runs(summary).stream().filter(run -> run.concurrency() == concurrency).forEach(at::add);
        at.sort((a, b) -> Integer.compare(rank(a.mode()), rank(b.mode())));
        return at;
    }

    private static int rank(String mode) {
        int rank = MODES.indexOf(mode);
        return rank < 0 ? MODES.size() : rank;
    }

    /** The run of {@code mode} at {@code concurrency} if it completed any calls, else null. */
    private static Summary.Run measured(Summary summary, String mode, int concurrency) {
        Summary.Run run = summary.run(mode, concurrency);
        return run != null && run.calls() > 0 ? run : null;
    }

    private static List<Summary.Run> runs(Summary summary) {
        return summary.runs() == null ? List.of() : summary.runs();
    }

    private static String header(Summary summary) {
        return "**Machine:** " + machine(summary.machine()) + " · **Date:** " + summary.date()
                + " · **Settings:** " + settings(summary.settings()) + "\n\nEvery part runs in a process of its own"
                + " (broker, echo app, baseline server, load generator and baseline client, each sidecar). Each"
                + " figure is the median of the rounds; the *rounds* columns give the lowest and highest.";
    }

    private static String machine(Summary.Machine m) {
        if (m == null) {
            return "unknown";
        }
        return String.format(Locale.ROOT, "%s, %d cores, %d MiB, %s, Java %s", m.cpu(), m.cores(), m.memoryMiB(),
                m.os(), m.java());
    }

    private static String settings(Summary.Settings s) {
        if (s == null) {
            return "unknown";
        }
        return String.format(Locale.ROOT,
                "concurrency %s, warm-up %d s per mode, %d rounds of %d s per mode and concurrency, payload %d B,"
                        + " %d partitions, %d pending calls%s",
                s.concurrency(), s.warmupSeconds(), s.rounds(), s.durationSeconds(), s.payloadBytes(), s.partitions(),
                s.pendingCalls(), s.smoke() ? " (smoke run: numbers are not meaningful)" : "");
    }

    private static String concurrencyTable(Summary summary, int concurrency) {
        StringBuilder md = new StringBuilder("## Concurrency " + concurrency + "\n\n");
        md.append("| mode | p50 (ms) | p90 (ms) | p99 (ms) | p99.9 (ms) | throughput (calls/s) | failures"
                + " | rounds: p50 (ms) | rounds: p99 (ms) | rounds: calls/s |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Summary.Run run : runsAt(summary, concurrency)) {
            Summary.Spread spread = run.spread();
            md.append(row(run.mode(), ms(run.p50()), ms(run.p90()), ms(run.p99()), ms(run.p999()),
                    calls(run.throughput()), Long.toString(run.failures()),
                    spread == null ? "" : ms(spread.p50Min()) + "–" + ms(spread.p50Max()),
                    spread == null ? "" : ms(spread.p99Min()) + "–" + ms(spread.p99Max()),
                    spread == null ? "" : calls(spread.throughputMin()) + "–" + calls(spread.throughputMax())));
        }
        Summary.Run baseline = measured(summary, BASELINE, concurrency);
        for (String mode : SIDECARS) {
            Summary.Run sidecar = measured(summary, mode, concurrency);
            if (baseline != null && sidecar != null) {
                md.append(comparison(baseline, sidecar));
            }
        }
        return md.toString();
    }

    private static String comparison(Summary.Run baseline, Summary.Run sidecar) {
        String mode = sidecar.mode();
        return row("*" + mode + " ÷ baseline*", ratio(sidecar, baseline, Summary.Run::p50),
                ratio(sidecar, baseline, Summary.Run::p90), ratio(sidecar, baseline, Summary.Run::p99),
                ratio(sidecar, baseline, Summary.Run::p999), ratio(sidecar, baseline, Summary.Run::throughput), "",
                "", "", "")
                + row("*" + mode + " − baseline (ms)*", ms(sidecar.p50() - baseline.p50()),
                        ms(sidecar.p90() - baseline.p90()), ms(sidecar.p99() - baseline.p99()),
                        ms(sidecar.p999() - baseline.p999()), "", "", "", "", "");
    }

    private static String ratio(Summary.Run sidecar, Summary.Run baseline, ToDoubleFunction<Summary.Run> figure) {
        return times(divide(figure.applyAsDouble(sidecar), figure.applyAsDouble(baseline)));
    }

    private static String goals(Summary summary) {
        List<String> rows = new ArrayList<>();
        for (String mode : SIDECARS) {
            rows.addAll(latencyGoals(summary, mode));
            String throughput = throughputGoal(summary, mode);
            if (throughput != null) {
                rows.add(throughput);
            }
        }
        rows.addAll(costGoals(summary));
        if (rows.isEmpty()) {
            return "## Goals\n\nNot judged: the runs they need (baseline and sidecar) are missing.\n";
        }
        return "## Goals\n\n| goal | measured | met |\n|---|---|---|\n" + String.join("", rows);
    }

    /** The goals judged at concurrency 1, if both baseline and the sidecar {@code mode} ran there. */
    private static List<String> latencyGoals(Summary summary, String mode) {
        Summary.Run baseline = measured(summary, BASELINE, 1);
        Summary.Run sidecar = measured(summary, mode, 1);
        if (baseline == null || sidecar == null) {
            return List.of();
        }
        double extra = sidecar.p90() - baseline.p90();
        return List.of(
                ratioGoal(mode + " p50 ≤ 1.3× baseline (concurrency 1)", sidecar.p50(), baseline.p50(), 1.3),
                ratioGoal(mode + " p99 ≤ 1.5× baseline (concurrency 1)", sidecar.p99(), baseline.p99(), 1.5),
                row(mode + " p90 − baseline p90 < 1.2 ms (concurrency 1)",
                        ms(extra) + " ms (" + ms(sidecar.p90()) + " vs " + ms(baseline.p90()) + " ms)",
                        met(extra < 1.2)));
    }

    private static String ratioGoal(String goal, double sidecar, double baseline, double limit) {
        double ratio = divide(sidecar, baseline);
        return row(goal, format("%.2f×", ratio) + " (" + ms(sidecar) + " vs " + ms(baseline) + " ms)", met(ratio <= limit));
    }

    private static String throughputGoal(Summary summary, String mode) {
        List<Integer> levels = concurrencies(summary);
        if (levels.isEmpty()) {
            return null;
        }
        int highest = levels.get(levels.size() - 1);
        Summary.Run baseline = measured(summary, BASELINE, highest);
        Summary.Run sidecar = measured(summary, mode, highest);
        if (baseline == null || sidecar == null) {
            return null;
        }
        double share = divide(sidecar.throughput(), baseline.throughput());
        String measured = percent(share) + " (" + calls(sidecar.throughput()) + " vs " + calls(baseline.throughput())
                + " calls/s)";
        return row(mode + " throughput ≥ 80% of baseline (concurrency " + highest + ")", measured,
                met(share >= 0.8));
    }

    /**
     * What one sidecar may cost: CPU per 1,000 calls (judged at the highest concurrency, through the consumer-group
     * service sidecar), RSS idle and under load, time to ready.
     */
    private static List<String> costGoals(Summary summary) {
        List<String> rows = new ArrayList<>();
        List<Integer> levels = concurrencies(summary);
        Summary.Run run = levels.isEmpty() ? null : measured(summary, "sidecar", levels.get(levels.size() - 1));
        if (run != null && run.cost() != null) {
            rows.add(row("CPU per 1,000 calls ≤ 0.48 s per sidecar (sidecar, concurrency " + run.concurrency() + ")",
                    "caller " + format("%.3f", run.cost().callerCpuPer1000()) + " s, service "
                            + format("%.3f", run.cost().serviceCpuPer1000()) + " s",
                    met(run.cost().callerCpuPer1000() <= 0.48 && run.cost().serviceCpuPer1000() <= 0.48)));
        }
        List<Summary.Sidecar> sidecars = summary.memory() == null || summary.memory().sidecars() == null ? List.of()
                : summary.memory().sidecars().stream().filter(s -> !s.name().equals("service-share")).toList();
        for (Summary.Sidecar sidecar : sidecars) {
            rows.add(row(sidecar.name() + " sidecar RSS ≤ 96 MiB idle", mib(sidecar.idleRssMiB()) + " MiB",
                    met(sidecar.idleRssMiB() <= 96)));
            rows.add(row(sidecar.name() + " sidecar RSS ≤ 160 MiB under load", mib(sidecar.loadRssMiB()) + " MiB",
                    met(sidecar.loadRssMiB() > 0 && sidecar.loadRssMiB() <= 160)));
            rows.add(row(sidecar.name() + " sidecar ready < 1 s after start", format("%.2f", sidecar.readySeconds())
                    + " s", met(sidecar.readySeconds() > 0 && sidecar.readySeconds() < 1)));
        }
        return rows;
    }

    private static String memory(Summary.Memory memory) {
        if (memory == null) {
            return "## Memory\n\nNot measured.\n";
        }
        StringBuilder md = new StringBuilder("## Memory and threads\n\n");
        List<Summary.Sidecar> sidecars = memory.sidecars() == null ? List.of() : memory.sidecars();
        if (!sidecars.isEmpty()) {
            md.append("| sidecar | ready after start (s) | RSS idle (MiB) | RSS under load, peak (MiB)"
                    + " | heap idle, after a full GC (MiB) | threads idle | CPU idle (% of a core) |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|\n");
            for (Summary.Sidecar sidecar : sidecars) {
                md.append(row(sidecar.name(), format("%.2f", sidecar.readySeconds()), mib(sidecar.idleRssMiB()),
                        mib(sidecar.loadRssMiB()), mib(sidecar.idleHeapMiB()), Integer.toString(sidecar.idleThreads()),
                        mib(sidecar.idleCpuPercent())));
            }
            md.append('\n');
        }
        md.append(pending(memory.pending()));
        return md.toString();
    }

    private static String pending(Summary.Pending p) {
        if (p == null) {
            return "Pending asynchronous calls: not measured.\n";
        }
        return "Caller sidecar with asynchronous calls left pending (after a full GC):\n\n"
                + "| pending calls | heap before (MiB) | heap after (MiB) | RSS before (MiB) | RSS after (MiB)"
                + " | heap per call (bytes) | RSS per call (bytes) |\n|---:|---:|---:|---:|---:|---:|---:|\n"
                + row(Integer.toString(p.calls()), mib(p.heapBeforeMiB()), mib(p.heapAfterMiB()),
                        mib(p.rssBeforeMiB()), mib(p.rssAfterMiB()), whole(p.heapBytesPerCall()),
                        whole(p.rssBytesPerCall()));
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    private static String met(boolean met) {
        return met ? "yes" : "no";
    }

    private static double divide(double numerator, double denominator) {
        return denominator > 0 ? numerator / denominator : Double.NaN;
    }

    static String ms(double value) {
        return format("%.2f", value);
    }

    private static String times(double ratio) {
        return format("%.2f", ratio);
    }

    private static String percent(double share) {
        return format("%.0f%%", share * 100);
    }

    private static String calls(double perSecond) {
        return whole(perSecond);
    }

    private static String whole(double value) {
        return format("%.0f", value);
    }

    private static String mib(double value) {
        return format("%.1f", value);
    }

    private static String format(String pattern, double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, pattern, value) : "n/a";
    }
}
