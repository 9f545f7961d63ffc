package io.mepsidecar.contract;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The wall-clock times (microseconds since the epoch, from {@link Instant#now()}) at which one call passed its
 * {@link Hop hops}: a diagnostic for benchmarks, taken only for calls traced with {@code mep.debug.hop-timestamps}.
 * The caller's and the service's stamps come from the clocks of two pods, which may differ.
 *
 * <p>The stamps of one call are taken on several threads (an event loop, the send thread, the producer's I/O thread,
 * a consumer's thread) and read on another one, possibly while a late stamp is still being taken (a broker's
 * acknowledgement may come after the reply). An {@link AtomicLongArray} makes each stamp visible to the reader
 * without a lock; a stamp not taken (yet) reads 0 and is left out.
 *
 * <p>The text form, in {@code mep-hops} and {@code Mep-Hops}, is {@code name=micros} pairs in hop order, separated by
 * commas, e.g. {@code consumed=1767225600000123,app-call=1767225600000210}.
 */
public final class HopStamps {

    private static final Hop[] HOPS = Hop.values();

    private final AtomicLongArray micros = new AtomicLongArray(HOPS.length);

    /** Stamps {@code hop} with the time now. */
    public void stamp(Hop hop) {
        micros.set(hop.ordinal(), nowMicros());
    }

    /** Stamps {@code hop} with a time taken already, so that one clock reading serves both. */
    public void stamp(Hop hop, Instant at) {
        micros.set(hop.ordinal(), toMicros(at));
    }

    /** Microseconds since the epoch at which {@code hop} was passed; 0 when it was not stamped. */
    public long get(Hop hop) {
        return micros.get(hop.ordinal());
    }

    /** The stamps taken, in hop order: {@code name=micros,name=micros}; empty when none was taken. */
    public String format() {
        StringBuilder text = new StringBuilder(HOPS.length * 28);
        for (Hop hop : HOPS) {
            long value = micros.get(hop.ordinal());
            if (value > 0) {
                if (!text.isEmpty()) {
                    text.append(',');
                }
                text.append(hop.wireName()).append('=').append(value);
            }
        }
        return text.toString();
    }

    /**
     * Takes the stamps of {@code side} from a text in the form of {@link #format()}, as another sidecar wrote it.
     * Pairs of the other side, unknown names, and values that are not positive numbers are ignored: a peer's header
     * adds to what is known, it never replaces this sidecar's own stamps nor fails the call.
     */
    public void merge(String text, Hop.Side side) {
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf(',', start);
            if (end < 0) {
                end = text.length();
            }
            int equals = text.indexOf('=', start);
            if (equals > start && equals < end) {
                Hop hop = hopNamed(text.substring(start, equals).trim());
                long value = parsePositive(text.substring(equals + 1, end).trim());
                if (hop != null && hop.side() == side && value > 0) {
                    micros.set(hop.ordinal(), value);
                }
            }
            start = end + 1;
        }
    }

    /** Microseconds since the epoch, now, from the wall clock. */
    public static long nowMicros() {
        return toMicros(Instant.now());
    }

    static long toMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    private static Hop hopNamed(String name) {
        for (Hop hop : HOPS) {
            if (hop.wireName().equals(name)) {
                return hop;
            }
        }
        return null;
    }

    private static long parsePositive(String number) {
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
