package io.mepsidecar.faults;

import io.mepsidecar.testing.SidecarProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrapes one counter ({@link #COUNTER}) from every caller sidecar process once a second and keeps the last value
 * read from each process. A process killed with SIGKILL takes its counters with it; its last scrape stands for what it
 * counted. A process whose exposition never had the counter contributes nothing, and when none had it the suite
 * reports "n/a".
 */
final class CallerMetricsScraper implements AutoCloseable {

    /** Replies the caller sidecar read from its reply topic (summed over all its label sets). */
    static final String COUNTER = "mep_caller_replies_fetched_total";

    private static final Pattern SAMPLE = Pattern.compile(
            "^" + Pattern.quote(COUNTER) + "(?:\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);

    private final Map<SidecarProcess, Double> lastValues = new ConcurrentHashMap<>();
    private final Map<SidecarProcess, Boolean> watched = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "caller-metrics-scraper");
        thread.setDaemon(true);
        return thread;
    });

    CallerMetricsScraper() {
        scheduler.scheduleWithFixedDelay(this::scrapeAll, 1, 1, TimeUnit.SECONDS);
    }

    /** Starts scraping a caller process (it stays in the sums after it died). */
    void watch(SidecarProcess caller) {
        watched.put(caller, Boolean.TRUE);
    }

    /** Scrapes every live process now, e.g. just before a fault or at the end of a scenario. */
    synchronized void scrapeAll() {
        for (SidecarProcess caller : watched.keySet()) {
            if (caller.isAlive()) {
                read(caller).ifPresent(value -> lastValues.put(caller, value));
            }
        }
    }

    /** The last value read from each process that ever exposed the counter. */
    Map<SidecarProcess, Double> lastValues() {
        return Map.copyOf(lastValues);
    }

    private OptionalDouble read(SidecarProcess caller) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(caller.managementUrl() + "/q/metrics"))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? sum(response.body()) : OptionalDouble.empty();
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }

    /** The sum of every sample of the counter in a Prometheus text exposition; empty when it has none. */
    static OptionalDouble sum(String exposition) {
        Matcher matcher = SAMPLE.matcher(exposition);
        boolean found = false;
        double sum = 0;
        while (matcher.find()) {
            found = true;
            sum += Double.parseDouble(matcher.group(1));
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
