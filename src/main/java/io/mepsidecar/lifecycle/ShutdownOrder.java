package io.mepsidecar.lifecycle;

/**
 * Priorities of the shutdown observers (lower runs first): stop consuming and let in-flight requests finish while
 * the app client and the producer still work, then close the app client, then flush and close the producer.
 */
public final class ShutdownOrder {

    public static final int LISTENERS = 1_000;
    public static final int APP_CLIENT = 3_000;
    public static final int PRODUCER = 4_000;

    private ShutdownOrder() {
    }
}
