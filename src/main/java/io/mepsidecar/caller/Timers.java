package io.mepsidecar.caller;

import io.vertx.core.Vertx;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Timeouts of the caller role on Vert.x timers, so that they run on the sidecar's own event loops (with its class
 * loader and context), not on the JDK's shared {@code CompletableFuture} delay thread; the timer is cancelled as
 * soon as the future completes otherwise.
 */
final class Timers {

    private Timers() {
    }

    /** Fails {@code future} with {@code failure} after {@code millis}, unless it completed before. */
    static <T> void failAfter(Vertx vertx, CompletableFuture<T> future, long millis,
            Supplier<? extends Throwable> failure) {
        long timer = vertx.setTimer(Math.max(1, millis), id -> future.completeExceptionally(failure.get()));
        future.whenComplete((value, error) -> vertx.cancelTimer(timer));
    }

    /** Completes {@code future} with {@code value} after {@code millis}, unless it completed before. */
    static <T> void completeAfter(Vertx vertx, CompletableFuture<T> future, long millis, Supplier<T> value) {
        long timer = vertx.setTimer(Math.max(1, millis), id -> future.complete(value.get()));
        future.whenComplete((done, error) -> vertx.cancelTimer(timer));
    }
}
