package io.mepsidecar.service;

import io.mepsidecar.config.ServedOperation;
import io.mepsidecar.config.SidecarConfig.Consumption;
import io.mepsidecar.kafka.ConsumerLoop;
import io.mepsidecar.kafka.KafkaAccess;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupMaxSizeReachedException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request at a time, from the app's share group: a share consumer of its own that acquires one record per poll
 * ({@code share.acquire.mode=record_limit}), hands it to {@link RequestHandler}, and acknowledges it on its own when it
 * is finished: ACCEPT, REJECT (dead-lettered) or RELEASE (not finished: any consumer of the group gets it again, the
 * broker counting the delivery). While the app works on it, the record's acquisition lock is renewed
 * ({@link #renewalInterval}).
 * A share consumer cannot fetch again before its records are acknowledged, so each in-flight request has its own
 * slot: {@code mep.service.max-concurrency} slots, one thread each; only that thread touches its consumer.
 *
 * <p>While the app is unavailable the slot closes its consumer (which releases what it had fetched) instead of
 * fetching and giving back, which would spend the records' delivery attempts. While the share group is full (the
 * broker's {@code group.share.max.size} members) the slot waits for room, trying again with backoff; that is not a
 * failure of this sidecar, whose other slots serve on.
 */
final class ShareSlot implements Runnable {

    private static final Logger LOG = Logger.getLogger(ShareSlot.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration RENEWED_POLL = Duration.ofMillis(500);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration APP_WAIT = Duration.ofMillis(200);
    private static final int DEFAULT_LOCK_MS = 30_000;
    /** What renewals keep of a lock under twice this long: a stall of the sidecar or broker this long is survived. */
    static final Duration RENEWAL_MARGIN = Duration.ofSeconds(5);
    /** Renewals of short locks are at most this frequent (or twice a lock, if that is shorter still). */
    static final Duration MIN_RENEWAL_INTERVAL = Duration.ofSeconds(1);

    private final int index;
    private final ShareRequestListener owner;
    private final Thread thread;
    private final Semaphore wakes = new Semaphore(0);
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    /** Completed when the stop begins (drain or stop): wakes a slot waiting for its app. */
    private final CompletableFuture<Void> stopping = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile Instant drainDeadline;
    private volatile boolean healthy;
    /** True while this slot's consumer is a member of the share group (it polled since it was opened). */
    private volatile boolean member;
    /** Set when the consumer lost the record it served with its share session: the slot starts a new one. */
    private boolean sessionLost;
    /** Set when the broker refused to renew the record in hand: it no longer holds it for this consumer. */
    private boolean lockLost;
    /**
     * How long this consumer held its previous record ({@link System#nanoTime()} units; 0 for a new consumer). A
     * record the consumer fetched meanwhile waited that long at most, its lock running: while a request is in hand
     * the consumer can come to hold one more (decision 0010, "Records that waited in a busy consumer").
     */
    private long previousHoldNanos;
    /** The record whose renewal is under way: it is polled back once the consumer confirms it. */
    private ConsumerRecord<String, byte[]> renewing;
    /** Set by the consumer's commit callback (on this thread) when it reports the renewal complete. */
    private boolean renewConfirmed;
    /** True while this slot holds a request: it does not fetch meanwhile. */
    private volatile boolean serving;
    private volatile String lastFailure = "";
    /** The refusal by Kafka logged last (an ACL missing, a login failing): logged once until it changes. */
    private String lastRefusal = "";
    private KafkaShareConsumer<String, byte[]> consumer;

    ShareSlot(int index, ShareRequestListener owner) {
        this.index = index;
        this.owner = owner;
        this.thread = new Thread(this, "mep-share-slot-" + index);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** From SIGTERM on: finishes the request in hand by the deadline (else gives it back), then leaves. */
    CompletableFuture<Void> drain(Instant deadline) {
        drainDeadline = deadline;
        stopping.complete(null);
        wakes.release();
        return drained;
    }

    /** Stops at once: the request in hand goes back unfinished. {@link #awaitStop} waits for the thread. */
    void stop() {
        running = false;
        stopping.complete(null);
        wakes.release();
    }

    void awaitStop(Instant deadline) {
        try {
            thread.join(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isHealthy() {
        return healthy;
    }

    boolean isMember() {
        return member;
    }

    boolean isServing() {
        return serving;
    }

    String lastFailure() {
        return lastFailure;
    }

    @Override
    public void run() {
        Duration backoff = ConsumerLoop.FIRST_BACKOFF;
        while (running && drainDeadline == null) {
            try {
                if (!owner.app.isAvailable()) {
                    close();
                    healthy = true;
                    pause(APP_WAIT);
                    continue;
                }
                open();
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (records.isEmpty()) {
                    previousHoldNanos = 0; // nothing waited in the consumer: what comes next is fetched afresh
                }
                healthy = true;
                member = true;
                backoff = ConsumerLoop.FIRST_BACKOFF;
                lastRefusal = "";
                long received = System.nanoTime(); // the lock runs from before this: renewals count from here
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (drainDeadline == null && running) {
                        serving = true;
                        try {
                            serve(record, received);
                        } finally {
                            serving = false;
                        }
                        if (sessionLost) {
                            sessionLost = false;
                            close(); // the next turn of the loop opens a new consumer
                            break;
                        }
                    } else { // fetched as the stop began: straight back to the group
                        consumer.acknowledge(record, AcknowledgeType.RELEASE);
                    }
                }
            } catch (WakeupException e) {
                // woken to stop
            } catch (GroupMaxSizeReachedException e) {
                healthy = true;
                owner.groupFull(index, backoff);
                close();
                pause(backoff);
                backoff = ConsumerLoop.doubled(backoff, ConsumerLoop.MAX_BACKOFF);
            } catch (Throwable e) { // an Error too: the slot must outlive anything a record or the client throws
                healthy = false;
                Optional<String> refused = KafkaAccess.explain(e, AclOperation.READ,
                        KafkaAccess.principal(owner.settings.shareConsumer(index)));
                lastFailure = e instanceof GroupIdNotFoundException
                        ? ServiceConsumption.otherKind(owner.identity.appName(), Consumption.CONSUMER_GROUP)
                                + " (" + e + ")"
                        : refused.orElseGet(e::toString);
                owner.restarted();
                if (refused.isEmpty()) {
                    LOG.errorf(e, "share slot %d failed, starting a new consumer in %s: %s", index, backoff,
                            lastFailure);
                } else if (!lastFailure.equals(lastRefusal)) {
                    LOG.errorf("share slot %d refused by Kafka, trying again with backoff (up to %s): %s", index,
                            ConsumerLoop.MAX_BACKOFF, lastFailure);
                }
                lastRefusal = refused.orElse("");
                close();
                pause(backoff);
                backoff = ConsumerLoop.doubled(backoff, ConsumerLoop.MAX_BACKOFF);
            }
        }
        close();
        drained.complete(null);
    }

    /**
     * Serves one record on this thread, renewing its lock while the app works, then acknowledges it.
     *
     * @param received when the poll that brought the record returned ({@link System#nanoTime()})
     */
    private void serve(ConsumerRecord<String, byte[]> record, long received) {
        ServedOperation operation = owner.served.byTopic(record.topic()).orElseThrow();
        long renewEveryNanos = renewalInterval(
                Duration.ofMillis(consumer.acquisitionLockTimeoutMs().orElse(DEFAULT_LOCK_MS))).toNanos();
        // The record may have been acquired up to previousHoldNanos ago: renew as early as that needs, and when a
        // renewal would already have been due, make sure the broker still holds it before the app gets it.
        long mayHaveWaited = Math.min(previousHoldNanos, renewEveryNanos);
        long nextRenew = received + renewEveryNanos - mayHaveWaited;
        lockLost = false;
        try {
            if (mayHaveWaited == renewEveryNanos && running) {
                nextRenew = System.nanoTime() + renewEveryNanos;
                renew(record);
                if (lockLost) {
                    // another consumer has it, or will: not handed to this app; a new consumer (session) follows
                    LOG.infof("%s-%d@%d waited in this consumer beyond its lock and was not served here; the broker"
                            + " delivers it again", record.topic(), record.partition(), record.offset());
                    sessionLost = true;
                    return;
                }
            }
            serveHeld(operation, record, renewEveryNanos, nextRenew);
        } finally {
            previousHoldNanos = System.nanoTime() - received;
        }
    }

    private void serveHeld(ServedOperation operation, ConsumerRecord<String, byte[]> record, long renewEveryNanos,
            long firstRenewal) {
        Lease lease = new Lease(record);
        CompletableFuture<Disposition> handled;
        try {
            handled = owner.handler.handle(operation, record, lease);
        } catch (RuntimeException e) { // a defect: the record goes back, to be read again
            LOG.errorf(e, "the request at %s-%d@%d could not be handled", record.topic(), record.partition(),
                    record.offset());
            handled = CompletableFuture.completedFuture(Disposition.UNFINISHED);
        }
        long nextRenew = firstRenewal;
        while (!handled.isDone() && running) {
            Instant deadline = drainDeadline;
            long wait = TimeUnit.NANOSECONDS.toMillis(nextRenew - System.nanoTime());
            if (deadline != null) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    break; // the stop's deadline: the request goes back unfinished
                }
                wait = Math.min(wait, left);
            }
            try {
                // wakes when the request is finished, or (once) when the stop begins, to heed its deadline
                CompletableFuture.anyOf(handled, deadline == null ? stopping : handled)
                        .get(Math.max(1, wait), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // time to renew, or the deadline
            } catch (ExecutionException e) {
                break; // the handler never fails its future; if it did, the record goes back
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (!handled.isDone() && running && System.nanoTime() - nextRenew >= 0
                    && (drainDeadline == null || Instant.now().isBefore(drainDeadline))) {
                nextRenew = System.nanoTime() + renewEveryNanos; // from the RENEW's sending, not its answer
                if (!lockLost) {
                    renew(record);
                }
            }
        }
        lease.end();
        Disposition disposition = handled.isDone() && !handled.isCompletedExceptionally()
                ? handled.join() : Disposition.UNFINISHED;
        if (!handled.isDone() && lease.isLastDelivery()) {
            disposition = deadLetterAtStop(operation, record, lease);
        }
        try {
            consumer.acknowledge(record, acknowledgement(disposition));
        } catch (IllegalStateException e) {
            // The consumer no longer holds the record: a renewal failed as its share session ended (the broker
            // restarted). That consumer does not fetch the record again; a new one does, so the slot starts a
            // new consumer - a new session, not a failure of the slot.
            LOG.warnf("%s-%d@%d can no longer be acknowledged by this consumer (%s); starting a new consumer, and"
                    + " the broker delivers it again", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            sessionLost = true;
        }
        consumer.commitAsync();
    }

    /**
     * The stop came before the request on its last delivery was finished: given back, the broker would drop it, so
     * it is dead-lettered (within a bound; the sidecar is stopping).
     */
    private Disposition deadLetterAtStop(ServedOperation operation, ConsumerRecord<String, byte[]> record,
            Lease lease) {
        try {
            return owner.deadLetters.publish(operation.operation(), record, new Rejection(
                    DeadLetterReason.DELIVERY_FAILED, "not finished in " + lease.deliveryCount() + " deliveries, the"
                    + " last the share group makes, when the sidecar stopped"), () -> true)
                    .get(COMMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.errorf("the request at %s-%d@%d was on its last delivery and could not be dead-lettered as the"
                    + " sidecar stopped; the broker drops it: %s", record.topic(), record.partition(),
                    record.offset(), e.toString());
            return Disposition.UNFINISHED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Disposition.UNFINISHED;
        }
    }

    /**
     * How often the lock of a record in hand is renewed: every half lock, but a lock under twice
     * {@link #RENEWAL_MARGIN} is renewed when that margin of it is left (at most once per
     * {@link #MIN_RENEWAL_INTERVAL}, or twice per lock if that is shorter). With the broker's default 30 s lock that is
     * every 15 s; with a 3 s lock, every second, so a renewal may come two seconds late (a garbage collection, a
     * starved CPU) before the broker gives the record to another consumer while the app still works on it.
     */
    static Duration renewalInterval(Duration lock) {
        Duration half = lock.dividedBy(2);
        Duration keepingMargin = lock.minus(RENEWAL_MARGIN);
        Duration shortest = half.compareTo(MIN_RENEWAL_INTERVAL) < 0 ? half : MIN_RENEWAL_INTERVAL;
        Duration wanted = half.compareTo(keepingMargin) < 0 ? half : keepingMargin;
        return wanted.compareTo(shortest) > 0 ? wanted : shortest;
    }

    /**
     * Keeps the record acquired: the RENEW is sent at once and the record polled back. Polling alone would fetch and
     * lock more records into this consumer, where no other consumer could have them.
     */
    private void renew(ConsumerRecord<String, byte[]> record) {
        renewing = record;
        renewConfirmed = false;
        try {
            consumer.acknowledge(record, AcknowledgeType.RENEW);
            Map<TopicIdPartition, Optional<KafkaException>> result = consumer.commitSync(COMMIT_TIMEOUT);
            Optional<KafkaException> refused = result.isEmpty()
                    ? Optional.of(new KafkaException("the renewal was not sent (no session with the record's broker)"))
                    : result.values().stream().flatMap(Optional::stream).findFirst();
            if (refused.isPresent()) {
                // The broker no longer holds the record for this consumer (its lock ran out, or the session ended):
                // it goes to another consumer, or came back to this one under a new session. Renewing again cannot
                // help, and a poll now would fetch another record into this busy consumer.
                lockLost = true;
                LOG.warnf("the lock of %s-%d@%d could not be renewed, the broker delivers the request again: %s",
                        record.topic(), record.partition(), record.offset(), refused.get().toString());
                return;
            }
            // The renewal is done at the broker; the consumer moves the record back among those it holds when it
            // handles the renewal's event, which commitSync does before it returns. Should it not have, a poll would
            // find the record neither held nor renewed and fetch another record into this consumer, where it would
            // wait, its lock running, until the app finished this one; calls with nothing to send handle the event
            // without fetching.
            long waitUntil = System.nanoTime() + COMMIT_TIMEOUT.toNanos();
            while (!renewConfirmed && running && System.nanoTime() - waitUntil < 0) {
                TimeUnit.MILLISECONDS.sleep(1);
                consumer.commitSync(Duration.ZERO);
            }
            if (!renewConfirmed) {
                lockLost = true; // the record is not among those the consumer holds: nothing can acknowledge it
                LOG.warnf("the renewal of %s-%d@%d was not confirmed within %s; the broker delivers it again",
                        record.topic(), record.partition(), record.offset(), COMMIT_TIMEOUT);
                return;
            }
            ConsumerRecords<String, byte[]> back = consumer.poll(RENEWED_POLL);
            if (back.count() > 1) {
                LOG.warnf("renewing %s-%d@%d brought %d records back", record.topic(), record.partition(),
                        record.offset(), back.count());
            }
            owner.renewed();
        } catch (WakeupException e) {
            throw e;
        } catch (IllegalStateException e) {
            // The consumer no longer holds the record (its session ended): the broker delivers it again.
            lockLost = true;
            LOG.warnf("the lock of %s-%d@%d could not be renewed: %s", record.topic(), record.partition(),
                    record.offset(), e.toString());
        } catch (InterruptedException e) {
            lockLost = true; // the renewal's outcome is unknown; the record is not served on that
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // A failure before the renewal was sent (its acknowledgement refused by the client, a commit that threw):
            // keep waiting for the app, and try again at the next renewal. If the lock runs out meanwhile, another
            // consumer may get the record; the acknowledgement of this one then fails.
            LOG.warnf("the lock of %s-%d@%d could not be renewed: %s", record.topic(), record.partition(),
                    record.offset(), e.toString());
        } finally {
            renewing = null;
        }
    }

    private static AcknowledgeType acknowledgement(Disposition disposition) {
        switch (disposition) {
            case FINISHED:
                return AcknowledgeType.ACCEPT;
            case DEAD_LETTERED:
                return AcknowledgeType.REJECT;
            default:
                return AcknowledgeType.RELEASE;
        }
    }

    private void open() {
        if (consumer == null) {
            consumer = new KafkaShareConsumer<>(owner.settings.shareConsumer(index));
            previousHoldNanos = 0;
            consumer.setAcknowledgementCommitCallback((offsets, error) -> {
                ConsumerRecord<String, byte[]> renewed = renewing; // null outside a renewal: nothing to look at
                boolean renewal = renewed != null && offsets.entrySet().stream().anyMatch(done ->
                        done.getKey().topic().equals(renewed.topic())
                                && done.getKey().partition() == renewed.partition()
                                && done.getValue().contains(renewed.offset()));
                if (renewal && error == null) {
                    renewConfirmed = true;
                }
                if (error != null && !renewal) { // a refused renewal is logged by renew()
                    LOG.warnf("acknowledgement of %s failed: the broker no longer holds the record for this"
                            + " consumer (its lock ran out, or the broker restarted or moved the partition), and"
                            + " delivers it again: %s", offsets, error.toString());
                }
            });
            consumer.subscribe(owner.served.topics());
        }
    }

    /** Sends what is acknowledged and closes the consumer; the broker releases whatever it still held. */
    private void close() {
        member = false;
        if (consumer == null) {
            return;
        }
        try {
            consumer.commitSync(COMMIT_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("acknowledgements of share slot %d not sent: %s", index, e.toString());
        }
        try {
            consumer.close(COMMIT_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("share slot %d closed with %s", index, e.toString());
        }
        consumer = null;
    }

    private void pause(Duration timeout) {
        try {
            wakes.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
            wakes.drainPermits();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** The record in hand: this slot's until it is acknowledged, or the stop's deadline took it away. */
    private final class Lease implements RecordLease {

        private final int deliveries;
        private volatile boolean ended;

        Lease(ConsumerRecord<String, byte[]> record) {
            this.deliveries = record.deliveryCount().map(Short::intValue).orElse(1);
        }

        @Override
        public boolean isCurrent() {
            return !ended && running;
        }

        @Override
        public int deliveryCount() {
            return deliveries;
        }

        @Override
        public boolean countsDeliveries() {
            return true;
        }

        @Override
        public boolean isLastDelivery() {
            return deliveries >= owner.lastDelivery();
        }

        void end() {
            ended = true;
        }
    }
}
