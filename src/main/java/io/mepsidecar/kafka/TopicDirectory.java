package io.mepsidecar.kafka;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which topics exist, asked of the cluster without blocking and remembered: a topic found stays known for
 * {@value #KNOWN_MINUTES} minutes, a missing one for {@value #MISSING_SECONDS} seconds. Every publish asks here first, so
 * a record for a topic that does not exist fails at once instead of holding the producer's send thread for the
 * publish timeout while the producer waits for metadata that never comes.
 */
@ApplicationScoped
public class TopicDirectory {

    private static final long KNOWN_MINUTES = 5;
    private static final long MISSING_SECONDS = 10;
    private static final int MAX_TOPICS = 10_000;
    private static final int LOOKUP_TIMEOUT_MS = 5_000;

    @Inject
    KafkaAdmin kafka;

    private final Map<String, CompletableFuture<Boolean>> lookingUp = new ConcurrentHashMap<>();
    private Cache<String, Boolean> exists;
    private Cache<String, Integer> partitionCounts;

    @PostConstruct
    void createCache() {
        exists = Caffeine.newBuilder().maximumSize(MAX_TOPICS)
                .expireAfter(Expiry.<String, Boolean>creating((topic, found) -> found
                        ? Duration.ofMinutes(KNOWN_MINUTES) : Duration.ofSeconds(MISSING_SECONDS)))
                .build();
        partitionCounts = Caffeine.newBuilder().maximumSize(MAX_TOPICS)
                .expireAfterWrite(Duration.ofMinutes(KNOWN_MINUTES)).build();
    }

    /**
     * True when the topic is known to have {@code partition}. False when it is not known to: the count was not looked
     * up, or is older than the partition (then it is looked up again, for the next publish).
     */
    public boolean hasPartition(String topic, int partition) {
        Integer count = partitionCounts.getIfPresent(topic);
        if (count != null && partition < count) {
            return true;
        }
        exists.invalidate(topic);
        partitionCounts.invalidate(topic);
        return false;
    }

    /**
     * Completes when the topic exists; fails with {@link MissingTopicException} when it does not, with
     * {@link AccessDeniedException} when this principal may not see it (then it may not write to it either), or with
     * the cluster's error when it could not be asked (an answer is remembered, a failed look-up is not). One look-up
     * per topic is under way at a time.
     */
    public CompletableFuture<Void> requireExisting(String topic) {
        Boolean found = exists.getIfPresent(topic);
        CompletableFuture<Boolean> answer = found != null ? CompletableFuture.completedFuture(found) : lookUp(topic);
        return answer.thenApply(present -> {
            if (!present) {
                throw new MissingTopicException(topic);
            }
            return null;
        });
    }

    /** A topic this sidecar created or found itself: known without asking. */
    public void known(String topic) {
        exists.put(topic, true);
    }

    private CompletableFuture<Boolean> lookUp(String topic) {
        CompletableFuture<Boolean> found = new CompletableFuture<>();
        CompletableFuture<Boolean> underWay = lookingUp.putIfAbsent(topic, found);
        if (underWay != null) {
            return underWay;
        }
        try {
            describe(topic, found);
        } catch (RuntimeException e) {
            lookingUp.remove(topic, found);
            found.completeExceptionally(e);
        }
        return found;
    }

    private void describe(String topic, CompletableFuture<Boolean> found) {
        kafka.admin().describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(LOOKUP_TIMEOUT_MS))
                .allTopicNames().whenComplete((description, error) -> {
                    boolean missing = error instanceof UnknownTopicOrPartitionException
                            || (error != null && error.getCause() instanceof UnknownTopicOrPartitionException);
                    if (error == null || missing) {
                        exists.put(topic, !missing);
                    }
                    if (error == null && description.containsKey(topic)) {
                        partitionCounts.put(topic, description.get(topic).partitions().size());
                    }
                    lookingUp.remove(topic, found);
                    if (error == null || missing) {
                        found.complete(!missing);
                    } else if (error instanceof TopicAuthorizationException
                            || error.getCause() instanceof TopicAuthorizationException) {
                        found.completeExceptionally(new AccessDeniedException(KafkaAccess.notAuthorized(
                                AclOperation.WRITE, "topic " + topic, kafka.principal())));
                    } else {
                        found.completeExceptionally(error);
                    }
                });
    }
}
