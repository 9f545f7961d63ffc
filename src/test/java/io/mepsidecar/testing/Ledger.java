package io.mepsidecar.testing;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * What every {@link TestApp} of this JVM executed at {@code /work}: how often each correlation id ran, and whether
 * one ever ran at two apps at the same time (a request delivered twice while its first copy still ran).
 */
public final class Ledger {

    private static final Set<String> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Map<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();
    private static final Set<String> OVERLAPPING = ConcurrentHashMap.newKeySet();

    private Ledger() {
    }

    static void started(String id) {
        EXECUTIONS.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
        if (!RUNNING.add(id)) {
            OVERLAPPING.add(id);
        }
    }

    static void ended(String id) {
        RUNNING.remove(id);
    }

    /** The number of milliseconds the body starts with ({@code "300"}, or {@code "300 call-7"}); 20 without one. */
    static long workMillis(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        int space = text.indexOf(' ');
        try {
            return Long.parseLong(space < 0 ? text : text.substring(0, space));
        } catch (NumberFormatException e) {
            return 20;
        }
    }

    /** Requests at work right now, at every app of the JVM. */
    public static int running() {
        return RUNNING.size();
    }

    /** How many times the app was handed this correlation id. */
    public static int executions(String id) {
        AtomicInteger count = EXECUTIONS.get(id);
        return count == null ? 0 : count.get();
    }

    /** Those of {@code ids} that ran at two apps (or twice at one) at the same time. */
    public static Set<String> overlapping(Collection<String> ids) {
        return ids.stream().filter(OVERLAPPING::contains).collect(Collectors.toSet());
    }

    /** Those of {@code ids} that ran more than once, in sequence or at once. */
    public static Set<String> repeated(Collection<String> ids) {
        return ids.stream().filter(id -> executions(id) > 1).collect(Collectors.toSet());
    }

    /** Every id that has started so far. */
    public static Set<String> started() {
        return Set.copyOf(EXECUTIONS.keySet());
    }
}
