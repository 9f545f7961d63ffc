package io.mepsidecar.kafka;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Kafka's refusals said plainly: an authorization failure names the principal, the operation and the resource whose
 * ACL is missing, an authentication failure the user that could not log in; both point to docs/security.md. The
 * wording is stable (tests and alerts look for {@code not authorized:} and {@code cannot log in to Kafka}).
 */
public final class KafkaAccess {

    /** Where a reader finds the ACLs each role needs. */
    public static final String SEE_DOCS = "docs/security.md lists the ACLs each role needs";

    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private KafkaAccess() {
    }

    /**
     * The principal a client with these settings logs in as: {@code User:<username>} of a SASL/PLAIN or SCRAM login
     * ({@code sasl.jaas.config}), else a description that says it is not known here.
     */
    public static String principal(Map<String, Object> clientSettings) {
        Object jaas = clientSettings.get("sasl.jaas.config");
        if (jaas != null) {
            Matcher user = USERNAME.matcher(jaas.toString());
            if (user.find()) {
                return "User:" + user.group(1);
            }
        }
        Object protocol = clientSettings.get("security.protocol");
        return "the principal of security.protocol " + (protocol == null ? "PLAINTEXT" : protocol);
    }

    /** {@code not authorized: WRITE on topic orders (principal User:shop) - docs/security.md lists ...}. */
    public static String notAuthorized(AclOperation operation, String resource, String principal) {
        return "not authorized: " + operation + " on " + resource + of(principal) + " - " + SEE_DOCS;
    }

    private static String of(String principal) {
        return principal == null ? "" : " (principal " + principal + ")";
    }

    /**
     * What an authorization or authentication failure (anywhere in {@code failure}'s causes) means; empty for any
     * other failure.
     *
     * @param topicOperation what the failing client does with topics: READ for a consumer, WRITE for a producer
     * @param principal      as {@link #principal}; null leaves it out
     */
    public static Optional<String> explain(Throwable failure, AclOperation topicOperation, String principal) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof AccessDeniedException) {
                return Optional.of(cause.getMessage());
            }
            if (cause instanceof TopicAuthorizationException) {
                TopicAuthorizationException topics = (TopicAuthorizationException) cause;
                String names = topics.unauthorizedTopics().isEmpty() ? "a topic"
                        : new TreeSet<>(topics.unauthorizedTopics()).stream().map(topic -> "topic " + topic)
                                .collect(Collectors.joining(", "));
                return Optional.of(notAuthorized(topicOperation, names, principal));
            }
            if (cause instanceof GroupAuthorizationException) {
                String group = ((GroupAuthorizationException) cause).groupId();
                return Optional.of(notAuthorized(AclOperation.READ, "group " + (group == null ? "" : group),
                        principal));
            }
            if (cause instanceof ClusterAuthorizationException) {
                return Optional.of("not authorized on the cluster: " + cause.getMessage() + of(principal) + " - "
                        + SEE_DOCS);
            }
            if (cause instanceof AuthorizationException) {
                return Optional.of("not authorized: " + cause.getMessage() + of(principal) + " - " + SEE_DOCS);
            }
            if (cause instanceof AuthenticationException) {
                return Optional.of("cannot log in to Kafka" + (principal == null ? "" : " as " + principal) + ": "
                        + cause.getMessage()
                        + " - check kafka.sasl.jaas.config (KAFKA_SASL_JAAS_CONFIG), the mechanism and the"
                        + " truststore");
            }
        }
        return Optional.empty();
    }
}
