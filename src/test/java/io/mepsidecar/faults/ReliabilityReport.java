package io.mepsidecar.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The fault suite's results as Markdown: the table (one row per scenario) and the details behind each row. */
final class ReliabilityReport {

    private ReliabilityReport() {
    }

    static String table(List<ScenarioResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("| # | scenario | sync ok / calls (retried) | async accepted | async answered (not 2xx) "
                + "| async lost | one-way accepted | one-way lost | runs per call, sync: 1× / 2× / 3+× (0×) "
                + "| runs, async | runs, one-way | replies fetched / produced | sync calls succeed again after |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        int row = 1;
        for (ScenarioResult r : results) {
            md.append("| ").append(row++).append(" | ").append(r.name()).append(r.error() == null ? "" : " (error)")
                    .append(" | ").append(r.syncOk()).append(" / ").append(r.syncCalls()).append(" (")
                    .append(r.syncRetried()).append(')')
                    .append(" | ").append(r.asyncAccepted())
                    .append(" | ").append(r.asyncAnswered()).append(" (").append(r.asyncAnsweredNot2xx()).append(')')
                    .append(" | ").append(bold(r.asyncLost()))
                    .append(" | ").append(r.oneWayAccepted())
                    .append(" | ").append(bold(r.oneWayLost()))
                    .append(" | ").append(r.syncExecutions().render())
                    .append(" | ").append(r.asyncExecutions().render())
                    .append(" | ").append(r.oneWayExecutions().render())
                    .append(" | ").append(r.fetchedText()).append(" / ").append(r.repliesProduced())
                    .append(" | ").append(r.backAfterText()).append(" |\n");
        }
        return md.toString();
    }

    static String details(List<ScenarioResult> results) {
        StringBuilder md = new StringBuilder();
        int row = 1;
        for (ScenarioResult r : results) {
            md.append("- **").append(row++).append(". ").append(r.name()).append("**: ").append(r.fault())
                    .append(". Took ").append(r.took().toSeconds()).append(" s. Answers to the POSTs (retries "
                            + "included): ").append(r.answers()).append('.');
            if (r.asyncLost() > 0) {
                md.append(" Lost async calls: accepted by ").append(r.asyncLostDetail()).append('.');
            }
            if (r.oneWayLost() > 0) {
                md.append(" Lost one-way calls: accepted by ").append(r.oneWayLostDetail()).append('.');
            }
            if (r.skippedTicks() > 0) {
                md.append(" Ticks skipped (every call slot busy): ").append(r.skippedTicks()).append('.');
            }
            if (r.error() != null) {
                md.append(" **The scenario did not run to its end**: ").append(r.error().replace('\n', ' '))
                        .append('.');
            }
            md.append('\n');
        }
        return md.toString();
    }

    static Path write(Path file, List<ScenarioResult> results, String consumption, Duration took) {
        String md = "# Fault suite results\n\n"
                + "Run of " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ", service consumption `"
                + consumption + "`, " + results.size() + " scenarios in " + took.toMinutes() + " min "
                + took.toSecondsPart() + " s. Load per scenario: one call of each style every "
                + LoadGenerator.TICK.toMillis() + " ms; accepted calls get "
                + ScenarioRunner.RECOVERY_WINDOW.toSeconds() + " s after the load stops to be answered or executed. "
                + "See docs/reliability.md for what each column means.\n\n"
                + table(results) + "\n" + details(results);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, md);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String bold(int lost) {
        return lost == 0 ? "0" : "**" + lost + "**";
    }
}
