package io.mepsidecar.faults;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every call the load generator made in one scenario: each synchronous call with its attempts, and each
 * asynchronous and one-way call the caller sidecar said it accepted (202). A call is named by a token of its own,
 * which ends its body, so the serving apps' record of bodies tells how often it ran, whatever correlation ids its
 * attempts got (an attempt whose connection broke never told its id).
 */
final class CallLedger {

    /** A synchronous call and its retries, all with the same token, body and {@code Idempotency-Key}. */
    static final class SyncCall {
        final String token;
        final long startedAt = System.nanoTime();
        final AtomicInteger attempts = new AtomicInteger();
        volatile int finalStatus = -1;

        SyncCall(String token) {
            this.token = token;
        }

        boolean succeeded() {
            return finalStatus >= 200 && finalStatus < 300;
        }
    }

    /**
     * An asynchronous or one-way call the caller sidecar accepted with 202; or an asynchronous call it answered in
     * the response of the POST itself ({@code answeredAtOnce}: its status, else 0), when the reply came before the
     * broker's acknowledgement was handled.
     */
    record AcceptedCall(String token, String correlationId, String acceptedBy, int answeredAtOnce) {
    }

    /** A synchronous attempt that succeeded: when it was sent and when its answer came (System.nanoTime). */
    record Success(long sentAt, long answeredAt) {
    }

    final Queue<SyncCall> sync = new ConcurrentLinkedQueue<>();
    final Queue<AcceptedCall> async = new ConcurrentLinkedQueue<>();
    final Queue<AcceptedCall> oneWay = new ConcurrentLinkedQueue<>();
    final Queue<Success> syncSuccesses = new ConcurrentLinkedQueue<>();
    /** Answers to the POSTs of each style, by status ("io" for a failed connection), retries included. */
    final Map<String, Map<String, AtomicInteger>> answers = new ConcurrentHashMap<>();
    /** Ticks of the pacer that found every call slot busy and sent nothing. */
    final AtomicInteger skipped = new AtomicInteger();

    void answered(String style, int status) {
        answers.computeIfAbsent(style, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(status == 0 ? "io" : Integer.toString(status), s -> new AtomicInteger())
                .incrementAndGet();
    }

    /** Successful synchronous attempts so far. */
    int syncSuccessCount() {
        return syncSuccesses.size();
    }

    /** Successful synchronous attempts sent at or after {@code since} (System.nanoTime). */
    long syncSuccessesSentAfter(long since) {
        return syncSuccesses.stream().filter(s -> s.sentAt() >= since).count();
    }

    /** "202×310, 503×4, io×2" for one style. */
    String answersOf(String style) {
        Map<String, AtomicInteger> counts = new TreeMap<>(answers.getOrDefault(style, Map.of()));
        StringBuilder text = new StringBuilder();
        counts.forEach((status, count) -> text.append(text.length() == 0 ? "" : ", ").append(status).append('×')
                .append(count.get()));
        return text.length() == 0 ? "none" : text.toString();
    }

    List<AcceptedCall> asyncCalls() {
        return List.copyOf(async);
    }

    List<AcceptedCall> oneWayCalls() {
        return List.copyOf(oneWay);
    }
}
