package io.mepsidecar.service;

import io.mepsidecar.app.LocalApp;
import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.error.Problem;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.kafka.MissingTopicException;
import io.mepsidecar.observability.Outcome;
import io.mepsidecar.observability.Role;
import io.mepsidecar.observability.SidecarMetrics;
import io.mepsidecar.service.AppResponse.Delivery;
import io.mepsidecar.tracing.SidecarSpan;
import io.mepsidecar.tracing.Tracing;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Serves one request record: reads it ({@link RequestDecoder}), delivers it to the app ({@link AppClient}) and
 * publishes the answer as the reply. The returned future never fails: it says whether the record is
 * {@link Disposition#FINISHED} (its offset may be committed) or {@link Disposition#UNFINISHED} (read it again). Runs on
 * the consumer thread until the delivery starts, then on Vert.x event loops and the producer's I/O thread.
 *
 * <p>The {@link RecordLease} says whether the record is still this replica's to finish (its partition still assigned
 * or its lock held, the sidecar not past its grace period; retries stop when it turns false, leaving the record
 * unfinished), and how the broker counts its deliveries: with share groups a one-way message the app did not take in
 * time is given back for the broker to hand out again, and dead-lettered at {@code mep.service.max-deliveries}; with
 * consumer groups it is tried again in place as often.
 */
@ApplicationScoped
public class RequestHandler {

    private static final Logger LOG = Logger.getLogger(RequestHandler.class);
    private static final int ACCEPTED = 202;
    private static final long REDELIVERY_BACKOFF_MS = 1_000;
    /** Outcomes that mark a serving span failed (a 5xx of the app is marked by its status). */
    private static final Set<Outcome> FAILED = EnumSet.of(Outcome.UNDELIVERABLE, Outcome.HANDED_BACK,
            Outcome.DEAD_LETTERED, Outcome.REPLY_FAILED);

    @Inject
    RequestDecoder decoder;

    @Inject
    AppClient appClient;

    @Inject
    ReplyPublisher replyPublisher;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    DeferredReplies deferredReplies;

    @Inject
    Requeues requeues;

    @Inject
    LocalApp app;

    @Inject
    ServedRequests servedRequests;

    @Inject
    SidecarMetrics metrics;

    @Inject
    SidecarConfig config;

    @Inject
    Vertx vertx;

    @Inject
    Tracing tracing;

    /** What the handling of one record came to: for the consumer, and for the outcome metric. */
    private record Result(Disposition disposition, Outcome outcome) {
    }

    CompletableFuture<Disposition> handle(ServedOperation served, ConsumerRecord<String, byte[]> record,
            RecordLease lease) {
        BooleanSupplier current = lease::isCurrent;
        Operation operation = served.operation();
        Instant now = Instant.now();
        Decoded decoded = decoder.decode(operation, record, now);
        if (decoded instanceof Rejection rejection) {
            return deadLetter(operation, record, rejection, current).thenApply(result -> {
                metrics.callEnded(Role.SERVICE, operation.name(), result.outcome(), null);
                return result.disposition();
            });
        }
        AppRequest request = (AppRequest) decoded;
        if (operation.expectsReply() && request.isExpired(now)) {
            LOG.infof("request %s to %s expired before delivery (deadline %s)", request.correlationId(),
                    operation.name(), request.deadline());
            metrics.callEnded(Role.SERVICE, operation.name(), Outcome.EXPIRED, null);
            return CompletableFuture.completedFuture(Disposition.FINISHED);
        }
        Optional<ServedRequests.Entry> before = servedRequests.find(request.correlationId());
        if (before.isPresent()) {
            return replay(operation, record, request, before.get(), current).thenApply(result -> {
                metrics.callEnded(Role.SERVICE, operation.name(), result.outcome(), null);
                return result.disposition();
            });
        }
        if (lease.countsDeliveries() && lease.deliveryCount() > config.service().maxDeliveries()) {
            return deadLetter(operation, record, new Rejection(DeadLetterReason.DELIVERY_FAILED, "handed out "
                    + lease.deliveryCount() + " times without being finished (mep.service.max-deliveries)"), current)
                    .thenApply(result -> {
                        metrics.callEnded(Role.SERVICE, operation.name(), result.outcome(), null);
                        return result.disposition();
                    });
        }
        long start = System.nanoTime();
        AtomicInteger inFlight = metrics.inFlight(Role.SERVICE, operation.name());
        inFlight.incrementAndGet();
        SidecarSpan span = tracing.processing(record.topic(), record.partition(), record.offset(), operation.name(),
                request.correlationId(), request.trace());
        CompletableFuture<Result> result = (operation.expectsReply()
                ? requestReply(served, record, request, current, span)
                : oneWay(served, record, request, lease, 1, span))
                .thenCompose(done -> lastDelivery(operation, record, lease, done));
        return result.handle((done, error) -> {
            inFlight.decrementAndGet();
            ended(span, done, error);
            if (error != null) { // a defect of ours: keep the record, it is read again
                LOG.errorf(error, "request %s to %s failed unexpectedly", request.correlationId(), operation.name());
                return Disposition.UNFINISHED;
            }
            metrics.callEnded(Role.SERVICE, operation.name(), done.outcome(),
                    Duration.ofNanos(System.nanoTime() - start));
            return done.disposition();
        });
    }

    /**
     * A request delivered again that a replica of the app already served (the state topic says so): its reply is
     * published again as it was, a one-way message taken or a deferred reply is left as it is; the app is not called.
     */
    private CompletableFuture<Result> replay(Operation operation, ConsumerRecord<String, byte[]> record,
            AppRequest request, ServedRequests.Entry served, BooleanSupplier current) {
        LOG.infof("request %s to %s was served before; not delivered again", request.correlationId(),
                operation.name());
        if (served instanceof ServedRequests.Replied replied && operation.expectsReply()) {
            AppResponse again = new AppResponse(replied.status(), replied.contentType(), replied.body(),
                    Delivery.ANSWERED, null);
            return publish(operation, record, request, current,
                    () -> replyPublisher.publish(operation, request, again), Outcome.REPLAYED);
        }
        return completed(Disposition.FINISHED, served instanceof ServedRequests.Deferred ? Outcome.DEFERRED
                : Outcome.REPLAYED);
    }

    /**
     * Ends the serving span of a request delivered to the app: failed when the handling failed, the request was not
     * answered by the app, or its reply could not be published; the app's status it got before.
     */
    private static void ended(SidecarSpan span, Result done, Throwable error) {
        if (error != null) {
            span.failed(error);
        } else if (FAILED.contains(done.outcome())) {
            span.failed(done.outcome().label());
        }
        span.end();
    }

    private CompletableFuture<Result> requestReply(ServedOperation served, ConsumerRecord<String, byte[]> record,
            AppRequest request, BooleanSupplier current, SidecarSpan span) {
        Operation operation = served.operation();
        // Before delivery: the app may PUT before its 202 is read.
        if (!deferredReplies.expect(operation, request)) {
            Problem full = Problem.of(ProblemType.TOO_MANY_CALLS, "the serving sidecar already expects the most"
                    + " deferred replies it keeps (mep.service.max-deferred-replies); retry later",
                    request.correlationId());
            return publish(operation, record, request, current,
                    () -> replyPublisher.publishProblem(operation, request, full), Outcome.REJECTED);
        }
        return appClient.deliver(served, request, span.trace()).thenCompose(response -> {
            answered(span, response);
            // The app away, or the request given back meanwhile (the stop's deadline passed and the app client
            // closed): no 502 for the caller, the record is served again
            if (response.delivery() == Delivery.NOT_CONNECTED || (!response.answered() && !current.getAsBoolean())) {
                deferredReplies.forget(request.correlationId());
                return completed(Disposition.UNFINISHED, Outcome.HANDED_BACK);
            }
            if (response.answered() && response.status() == ACCEPTED) { // the app may PUT it at any replica
                return servedRequests.deferred(operation, request)
                        .handle((kept, error) -> new Result(Disposition.FINISHED, Outcome.DEFERRED));
            }
            if (deferredReplies.answered(request.correlationId())) {
                LOG.warnf("the app both PUT a reply to %s and answered it with %d; the PUT reply stands",
                        request.correlationId(), response.status());
                return completed(Disposition.FINISHED, outcomeOf(response));
            }
            return publish(operation, record, request, current, () -> published(operation, request, response),
                    outcomeOf(response));
        });
    }

    /** Publishes the app's answer and keeps it (in parallel) for a redelivery of the request. */
    private CompletableFuture<?> published(Operation operation, AppRequest request, AppResponse response) {
        CompletableFuture<?> reply = replyPublisher.publish(operation, request, response);
        if (!response.answered()) {
            return reply;
        }
        CompletableFuture<Void> kept = servedRequests.replied(request, response,
                DeferredReplies.digest(response.status(), response.contentType(), response.body()))
                .exceptionally(error -> null); // logged; a redelivery is then executed again
        return CompletableFuture.allOf(reply, kept);
    }

    /**
     * Publishes a reply, trying again while the failure may pass, the caller still waits and the record is still
     * ours. A reply that can never be published dead-letters the request; one too large is replaced by a 502 problem
     * first, so the caller learns at once.
     */
    private CompletableFuture<Result> publish(Operation operation, ConsumerRecord<String, byte[]> record,
            AppRequest request, BooleanSupplier current, Supplier<CompletableFuture<?>> attempt,
            Outcome outcome) {
        BooleanSupplier waited = () -> current.getAsBoolean() && !request.isExpired(Instant.now());
        return Retries.publish(vertx, attempt::get, waited, metrics::publishRetried).handle((published, error) -> {
            if (error == null) {
                return completed(Disposition.FINISHED, outcome);
            }
            if (Retries.isPassing(error)) {
                if (!current.getAsBoolean()) {
                    return completed(Disposition.UNFINISHED, Outcome.HANDED_BACK);
                }
                LOG.warnf("the reply to %s was not published before its deadline %s: %s", request.correlationId(),
                        request.deadline(), error.toString());
                return completed(Disposition.FINISHED, Outcome.REPLY_FAILED);
            }
            return unpublishable(operation, record, request, error, current);
        }).thenCompose(result -> result);
    }

    private CompletableFuture<Result> unpublishable(Operation operation, ConsumerRecord<String, byte[]> record,
            AppRequest request, Throwable error, BooleanSupplier current) {
        if (error instanceof MissingTopicException) {
            return deadLetter(operation, record, new Rejection(DeadLetterReason.REPLY_TOPIC_MISSING,
                    "reply topic " + request.replyTo() + " does not exist"), current);
        }
        if (error instanceof RecordTooLargeException) {
            Problem tooLarge = Problem.of(ProblemType.BAD_REPLY, "the serving app's reply is larger than the"
                    + " serving sidecar's Kafka producer accepts (kafka.max.request.size)", request.correlationId());
            replyPublisher.publishProblem(operation, request, tooLarge);
            return deadLetter(operation, record, new Rejection(DeadLetterReason.REPLY_TOO_LARGE,
                    error.getMessage()), current);
        }
        return deadLetter(operation, record, new Rejection(DeadLetterReason.REPLY_UNPUBLISHABLE,
                "the reply cannot be published to " + request.replyTo() + ": " + error), current);
    }

    /**
     * Hands a one-way message to the app. Taken (any answer): finished. The app away: handed back. Taken but not
     * answered in time, or broken off: with a broker that counts deliveries, given back to be handed out again (and
     * dead-lettered at {@code mep.service.max-deliveries}); else tried again in place after a second, as often.
     */
    private CompletableFuture<Result> oneWay(ServedOperation served, ConsumerRecord<String, byte[]> record,
            AppRequest request, RecordLease lease, int attempt, SidecarSpan span) {
        Operation operation = served.operation();
        AppRequest delivery = request.withDeadline(Instant.now().plus(operation.timeout()));
        return appClient.deliver(served, delivery, span.trace()).thenCompose(response -> {
            answered(span, response);
            if (response.answered()) { // kept, so that a redelivery is not handed to the app again
                return servedRequests.taken(operation, request).handle((kept, error) ->
                        new Result(Disposition.FINISHED, Outcome.ofStatus(response.status())));
            }
            if (!lease.countsDeliveries() && attempt >= config.service().maxDeliveries()
                    && response.delivery() != Delivery.NOT_CONNECTED) {
                return deadLetter(operation, record, new Rejection(DeadLetterReason.DELIVERY_FAILED, "the app did"
                        + " not take the message in " + attempt + " deliveries (mep.service.max-deliveries)"),
                        lease::isCurrent);
            }
            // with share groups the broker hands it out again (to any replica), and lastDelivery() dead-letters it
            if (response.delivery() == Delivery.NOT_CONNECTED || !lease.isCurrent() || lease.countsDeliveries()) {
                return completed(Disposition.UNFINISHED, Outcome.HANDED_BACK);
            }
            return later(REDELIVERY_BACKOFF_MS, () -> oneWay(served, record, request, lease, attempt + 1, span));
        });
    }

    /**
     * A record given back on the last delivery the broker makes (share groups: {@link RecordLease#isLastDelivery()})
     * would be dropped by the broker: it is dead-lettered instead, so that nothing accepted is lost. Unless this
     * replica's app is away, which says nothing about the request: then it is published again ({@link Requeues}), up to
     * {@code mep.service.max-deliveries} times.
     */
    private CompletableFuture<Result> lastDelivery(Operation operation, ConsumerRecord<String, byte[]> record,
            RecordLease lease, Result done) {
        if (done.disposition() != Disposition.UNFINISHED || !lease.isLastDelivery() || !lease.isCurrent()) {
            return CompletableFuture.completedFuture(done);
        }
        if (!app.isAvailable() && requeues.allowed(record)) { // not the request's fault: another replica may serve it
            return requeues.requeue(operation, record, lease::isCurrent)
                    .thenApply(disposition -> new Result(disposition, Outcome.HANDED_BACK))
                    .exceptionallyCompose(error -> deadLetter(operation, record, new Rejection(
                            DeadLetterReason.DELIVERY_FAILED, "on its last delivery with the app away, and it cannot"
                            + " be published again to " + record.topic() + ": " + error), lease::isCurrent));
        }
        return deadLetter(operation, record, new Rejection(DeadLetterReason.DELIVERY_FAILED, "not finished in "
                + lease.deliveryCount() + " deliveries, the last the share group makes (mep.service.max-deliveries,"
                + " or the broker's group.share.delivery.count.limit if lower)"
                + (Requeues.count(record) > 0 ? ", after " + Requeues.count(record) + " requeues while replicas had"
                        + " no app" : "")), lease::isCurrent);
    }

    /** Runs {@code next} after a pause, on a Vert.x timer; a {@code next} that throws fails the result. */
    private CompletableFuture<Result> later(long millis, Supplier<CompletableFuture<Result>> next) {
        CompletableFuture<Result> again = new CompletableFuture<>();
        vertx.setTimer(millis, id -> {
            try {
                next.get().whenComplete((result, error) -> {
                    if (error == null) {
                        again.complete(result);
                    } else {
                        again.completeExceptionally(error);
                    }
                });
            } catch (RuntimeException e) {
                again.completeExceptionally(e);
            }
        });
        return again;
    }

    private CompletableFuture<Result> deadLetter(Operation operation, ConsumerRecord<String, byte[]> record,
            Rejection rejection, BooleanSupplier current) {
        return deadLetters.publish(operation, record, rejection, current).thenApply(disposition ->
                new Result(disposition, disposition == Disposition.UNFINISHED ? Outcome.HANDED_BACK
                        : Outcome.DEAD_LETTERED));
    }

    /**
     * The app's status on the serving span. A delivery that failed marks it failed only by how the request ended
     * ({@link #ended}): a one-way message the app takes on a later try is no failure.
     */
    private static void answered(SidecarSpan span, AppResponse response) {
        if (response.answered()) {
            span.httpStatus(response.status());
        }
    }

    private static CompletableFuture<Result> completed(Disposition disposition, Outcome outcome) {
        return CompletableFuture.completedFuture(new Result(disposition, outcome));
    }

    private static Outcome outcomeOf(AppResponse response) {
        return response.answered() ? Outcome.ofStatus(response.status()) : Outcome.UNDELIVERABLE;
    }
}
