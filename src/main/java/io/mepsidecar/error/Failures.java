package io.mepsidecar.error;

import java.util.concurrent.CompletionException;

/** What actually failed, behind the wrapping that {@code CompletableFuture} stages add. */
public final class Failures {

    private Failures() {
    }

    public static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
