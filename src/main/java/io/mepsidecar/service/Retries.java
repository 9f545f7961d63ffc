package io.mepsidecar.service;

import io.mepsidecar.error.Failures;
import io.mepsidecar.kafka.KafkaSender.SendQueueFullException;
import io.vertx.core.Vertx;
import org.apache.kafka.common.errors.RetriableException;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Publishes that may fail for a passing reason (broker away, leader moving, send queue full) are tried again in
 * place, on Vert.x timers, with backoff from {@value #FIRST_BACKOFF_MS} ms doubling to {@value #MAX_BACKOFF_MS} ms:
 * no consumer is closed and no request is executed again for it.
 */
final class Retries {

    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    private Retries() {
    }

    /** True for a failure that may pass: trying the same publish again later can succeed. */
    static boolean isPassing(Throwable error) {
        Throwable cause = Failures.unwrap(error);
        return cause instanceof RetriableException || cause instanceof SendQueueFullException;
    }

    /**
     * Runs {@code attempt} until it succeeds, fails for a reason that does not pass, or {@code keepTrying} says
     * stop; completes like the last attempt did. {@code retrying} runs before each new attempt.
     */
    static <T> CompletableFuture<T> publish(Vertx vertx, Supplier<CompletableFuture<T>> attempt,
            BooleanSupplier keepTrying, Runnable retrying) {
        CompletableFuture<T> result = new CompletableFuture<>();
        run(vertx, attempt, keepTrying, retrying, FIRST_BACKOFF_MS, result);
        return result;
    }

    private static <T> void run(Vertx vertx, Supplier<CompletableFuture<T>> attempt, BooleanSupplier keepTrying,
            Runnable retrying, long backoff, CompletableFuture<T> result) {
        CompletableFuture<T> attempted;
        try {
            attempted = attempt.get();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        attempted.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else if (isPassing(error) && keepTrying.getAsBoolean()) {
                retrying.run();
                vertx.setTimer(backoff, id -> run(vertx, attempt, keepTrying, retrying,
                        Math.min(backoff * 2, MAX_BACKOFF_MS), result));
            } else {
                result.completeExceptionally(Failures.unwrap(error));
            }
        });
    }
}
