package io.mepsidecar.bench;

import io.restassured.RestAssured;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory, threads and CPU time of a sidecar process as the operating system and the JVM see it. */
final class ProcessStats {

    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final Pattern THREADS = Pattern.compile("Threads:\\s+(\\d+)");
    private static final Pattern HEAP = Pattern.compile(
            "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} (\\S+)$", Pattern.MULTILINE);

    private ProcessStats() {
    }

    /** Resident set size in MiB, from {@code /proc/<pid>/status}. */
    static double rssMiB(long pid) {
        try {
            Matcher matcher = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
            return matcher.find() ? Long.parseLong(matcher.group(1)) / 1024.0 : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * CPU time the process has used so far, user and system, in seconds, from {@code /proc/<pid>/stat} (in clock
     * ticks of 1/100 s, Linux's {@code USER_HZ}); 0 when the process is gone.
     */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may hold spaces: count the fields after its closing parenthesis
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Number of threads, from {@code /proc/<pid>/status}; 0 when the process is gone. */
    static int threads(long pid) {
        try {
            Matcher matcher = THREADS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Heap in use after a full GC ({@code jcmd GC.run}), in MiB, read from the sidecar's own metrics. */
    static double heapAfterGcMiB(long pid, String managementUrl) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS)) {
            gc.destroyForcibly();
        }
        String metrics = RestAssured.given().accept("text/plain").get(managementUrl + "/q/metrics").asString();
        Matcher matcher = HEAP.matcher(metrics);
        double bytes = 0;
        while (matcher.find()) {
            bytes += Double.parseDouble(matcher.group(1));
        }
        return bytes / (1024.0 * 1024.0);
    }
}
