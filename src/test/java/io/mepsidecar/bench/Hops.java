package io.mepsidecar.bench;

import io.mepsidecar.contract.HopStamps;
import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one sidecar call's time goes, hop by hop: the {@code Mep-Hops} response header (wall-clock stamps in epoch
 * microseconds from both sidecars, with {@code mep.debug.hop-timestamps} on the caller sidecar) plus the load
 * generator's own send and receive stamps (taken with {@link HopStamps#nowMicros()}, as the sidecars take theirs),
 * turned into the time between consecutive hand-offs. All processes run on one machine, so their clocks are one
 * clock. Thread-safe; the medians are in milliseconds.
 */
final class Hops {

    /** A stretch of a call: from one stamp to the next. */
    record Segment(String name, String from, String to) {
    }

    static final String CLIENT_SEND = "client-send";
    static final String CLIENT_RECEIVE = "client-receive";

    /** The call's stretches in order; each goes from one stamp to the next (ack is a side branch off send). */
    static final List<Segment> SEGMENTS = List.of(
            new Segment("load generator → caller sidecar (HTTP)", CLIENT_SEND, "http-in"),
            new Segment("caller sidecar: HTTP in → publish", "http-in", "publish"),
            new Segment("caller sidecar: publish → producer.send", "publish", "send"),
            new Segment("Kafka: request sent → read by the service sidecar", "send", "consumed"),
            new Segment("service sidecar: read → app called", "consumed", "app-call"),
            new Segment("app (HTTP, both ways)", "app-call", "app-answer"),
            new Segment("service sidecar: app answered → reply sent", "app-answer", "reply-send"),
            new Segment("Kafka: reply sent → read by the caller sidecar", "reply-send", "reply-consumed"),
            new Segment("caller sidecar: reply read → HTTP response", "reply-consumed", "http-out"),
            new Segment("caller sidecar → load generator (HTTP)", "http-out", CLIENT_RECEIVE),
            new Segment("(request acknowledged by the broker, after send)", "send", "ack"));

    private final Map<String, Histogram> histograms = new HashMap<>();
    private long traced;

    /** Adds one call: its {@code Mep-Hops} header (ignored when null) and the load generator's stamps. */
    synchronized void record(String header, long clientSend, long clientReceive) {
        if (header == null || header.isBlank()) {
            return;
        }
        Map<String, Long> stamps = parse(header);
        stamps.put(CLIENT_SEND, clientSend);
        stamps.put(CLIENT_RECEIVE, clientReceive);
        traced++;
        for (Segment segment : SEGMENTS) {
            Long from = stamps.get(segment.from());
            Long to = stamps.get(segment.to());
            if (from != null && to != null) {
                histograms.computeIfAbsent(segment.name(), name -> new Histogram(60_000_000L, 3))
                        .recordValue(Math.max(0, to - from));
            }
        }
    }

    /** The calls that carried stamps. */
    synchronized long traced() {
        return traced;
    }

    /** The median of each stretch that was seen, in {@link #SEGMENTS} order, in milliseconds. */
    synchronized Map<String, Double> mediansMs() {
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Segment segment : SEGMENTS) {
            Histogram histogram = histograms.get(segment.name());
            if (histogram != null && histogram.getTotalCount() > 0) {
                medians.put(segment.name(), histogram.getValueAtPercentile(50) / 1000.0);
            }
        }
        return medians;
    }

    synchronized void reset() {
        histograms.clear();
        traced = 0;
    }

    /** {@code name=micros,name=micros}; entries that are not a name and a number are skipped. */
    static Map<String, Long> parse(String header) {
        Map<String, Long> stamps = new HashMap<>();
        for (String entry : header.split(",")) {
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            try {
                stamps.put(entry.substring(0, equals).trim(), Long.parseLong(entry.substring(equals + 1).trim()));
            } catch (NumberFormatException e) {
                // not a stamp
            }
        }
        return stamps;
    }
}
