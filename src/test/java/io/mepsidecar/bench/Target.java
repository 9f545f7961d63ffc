package io.mepsidecar.bench;

import java.util.concurrent.CompletableFuture;

/** One way of making a request-reply call; completes when the reply is in, fails when the call failed. */
interface Target {

    CompletableFuture<Void> call(byte[] payload);
}
