package io.mepsidecar.lifecycle;

/**
 * Priorities of the shutdown observers (lower runs first): stop consuming and let in-flight requests finish while
 * the app client and the producer still work, then close the app client, then flush and close the producer, then
 * export the last spans (when the sidecar makes its own).
 */
public final class ShutdownOrder {

    public static final int LISTENERS = 1_000;
    public static final int APP_CLIENT = 3_000;
    public static final int PRODUCER = 4_000;
    public static final int TRACING = 5_000;

    private ShutdownOrder() {
    }
}
