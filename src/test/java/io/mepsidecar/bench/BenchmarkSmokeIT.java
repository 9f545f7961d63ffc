package io.mepsidecar.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark harness in a few seconds, so that it cannot rot between real runs. */
class BenchmarkSmokeIT {

    @Test
    void measuresEveryModeAndWritesTheReport() throws Exception {
        Summary.Settings smoke = new Summary.Settings(List.of(1, 4), 1, 1, 1024, 2, 100, 2, true);
        Path dir = Path.of("target", "benchmark-smoke");
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        Benchmark benchmark = new Benchmark(smoke, new PrintStream(log, true, StandardCharsets.UTF_8));
        Summary summary = benchmark.run(dir);

        for (int concurrency : List.of(1, 4)) {
            for (String mode : List.of("baseline", "direct-http", "sidecar", "sidecar-share")) {
                Summary.Run run = summary.run(mode, concurrency);
                assertThat(run).as(mode + " at " + concurrency).isNotNull();
                assertThat(run.calls()).as(mode + " calls").isPositive();
                assertThat(run.failures()).as(mode + " failures").isZero();
                assertThat(run.p50()).isPositive().isLessThanOrEqualTo(run.p99());
                assertThat(run.spread().rounds()).as(mode + " rounds").isEqualTo(2);
                assertThat(run.spread().p50Min()).isLessThanOrEqualTo(run.p50())
                        .isLessThanOrEqualTo(run.spread().p50Max());
                if (mode.startsWith("sidecar")) {
                    assertThat(run.cost().callerCpuPer1000()).as(mode + " caller CPU").isPositive();
                    assertThat(run.cost().serviceCpuPer1000()).as(mode + " service CPU").isPositive();
                } else {
                    assertThat(run.cost()).isNull();
                }
            }
        }
        for (String mode : List.of("sidecar", "sidecar-share")) {
            for (int concurrency : List.of(1, 4)) {
                assertThat(summary.run(mode, concurrency).hops()).as(mode + " hops at " + concurrency)
                        .containsKeys(Hops.SEGMENTS.stream().map(Hops.Segment::name).toArray(String[]::new));
            }
        }
        assertThat(summary.run("sidecar-async", 4).calls()).isPositive();
        assertThat(summary.memory().pending().calls()).isEqualTo(100);
        assertThat(summary.memory().sidecars()).extracting(Summary.Sidecar::name)
                .containsExactly("caller", "service", "service-share");
        assertThat(summary.memory().sidecars()).allSatisfy(sidecar -> {
            assertThat(sidecar.idleRssMiB()).as(sidecar.name()).isPositive();
            assertThat(sidecar.idleThreads()).as(sidecar.name()).isPositive();
            assertThat(sidecar.idleHeapMiB()).as(sidecar.name()).isPositive();
            assertThat(sidecar.readySeconds()).as(sidecar.name()).isPositive();
        });
        assertThat(dir.resolve("summary.json")).exists();
        assertThat(Files.readString(dir.resolve("results.md"))).contains("sidecar").contains("baseline");
        assertThat(dir.resolve("latency.png")).exists();
        assertThat(benchmark.sidecarPids()).hasSize(3).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)
                .map(ProcessHandle::isAlive).orElse(false)).as("sidecar %d stopped", pid).isFalse());
    }
}
