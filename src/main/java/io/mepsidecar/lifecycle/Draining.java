package io.mepsidecar.lifecycle;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A part of the sidecar that holds work in flight and finishes it when the sidecar stops (SIGTERM): pending calls
 * are answered, requests at the app are finished and committed. {@link GracefulStop} calls every one at once.
 */
public interface Draining {

    /**
     * Stops taking new work and finishes what is in flight by {@code deadline}. Returns at once; the future
     * completes when the part is done, at the latest shortly after the deadline.
     */
    CompletableFuture<Void> drain(Instant deadline);
}
