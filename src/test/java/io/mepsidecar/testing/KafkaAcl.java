package io.mepsidecar.testing;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One ACL to grant a test user on a broker started by {@link EmbeddedKafkaBroker#startWithSaslSsl}: an operation on a
 * topic, a group or the cluster, the name literal or a prefix.
 */
public record KafkaAcl(ResourceType type, String name, PatternType pattern, AclOperation operation) {

    public static KafkaAcl topic(String name, AclOperation operation) {
        return new KafkaAcl(ResourceType.TOPIC, name, PatternType.LITERAL, operation);
    }

    public static KafkaAcl topicsStartingWith(String prefix, AclOperation operation) {
        return new KafkaAcl(ResourceType.TOPIC, prefix, PatternType.PREFIXED, operation);
    }

    public static KafkaAcl group(String name, AclOperation operation) {
        return new KafkaAcl(ResourceType.GROUP, name, PatternType.LITERAL, operation);
    }

    public static KafkaAcl cluster(AclOperation operation) {
        return new KafkaAcl(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, operation);
    }

    /** The ACL allowing {@code User:<user>} this, from any host. */
    AclBinding bindingFor(String user) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    @Override
    public String toString() {
        return operation + " on " + type.name().toLowerCase() + " " + name
                + (pattern == PatternType.PREFIXED ? "*" : "");
    }
}
