package io.mepsidecar.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates missing topics with the broker's default replication; existing topics are left as they are. */
public final class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    private TopicInitializer() {
    }

    /**
     * @param topics topic name to partition count; an empty count means the broker default
     * @throws IllegalStateException when the topics cannot be listed or created
     * @throws AccessDeniedException when this principal may not create a missing topic (no CREATE ACL)
     */
    public static void createMissing(Map<String, Object> adminSettings, Map<String, Optional<Integer>> topics) {
        createMissing(adminSettings, topics, Map.of());
    }

    /**
     * As {@link #createMissing(Map, Map)}, with topic configs ({@code cleanup.policy}, ...) for the topics created.
     */
    public static void createMissing(Map<String, Object> adminSettings, Map<String, Optional<Integer>> topics,
            Map<String, String> topicConfigs) {
        try {
            tryCreateMissing(adminSettings, topics, topicConfigs);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics " + topics.keySet() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + topics.keySet(), e);
        }
    }

    private static void tryCreateMissing(Map<String, Object> adminSettings, Map<String, Optional<Integer>> topics,
            Map<String, String> topicConfigs) throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(adminSettings)) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            for (Map.Entry<String, Optional<Integer>> topic : topics.entrySet()) {
                if (!existing.contains(topic.getKey())) {
                    create(admin, adminSettings,
                            new NewTopic(topic.getKey(), topic.getValue(), Optional.empty()).configs(topicConfigs));
                }
            }
        }
    }

    private static void create(Admin admin, Map<String, Object> adminSettings, NewTopic topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            admin.createTopics(Set.of(topic)).all().get(10, TimeUnit.SECONDS);
            LOG.infof("created topic %s", topic.name());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                throw new AccessDeniedException(KafkaAccess.notAuthorized(AclOperation.CREATE, "topic " + topic.name(),
                        KafkaAccess.principal(adminSettings)) + ". The topic does not exist, or this principal may"
                        + " not see it (DESCRIBE, implied by READ and WRITE): create it beforehand, or grant CREATE");
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
