package io.mepsidecar.testing;

/** Stops what a test started, last started first, even when one part fails to stop. */
public final class Closer {

    private Closer() {
    }

    public static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                // keep stopping the rest
            }
        }
    }
}
