package io.mepsidecar.kafka;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaAccessTest {

    private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"shop\" password=\"secret\";";

    @Test
    void namesTheUserOfASaslLogin() {
        assertThat(KafkaAccess.principal(Map.of("sasl.jaas.config", SCRAM))).isEqualTo("User:shop");
    }

    @Test
    void saysThePrincipalIsNotKnownWithoutASaslLogin() {
        assertThat(KafkaAccess.principal(Map.of("security.protocol", "SSL")))
                .isEqualTo("the principal of security.protocol SSL");
    }

    @Test
    void namesTheOperationTheTopicAndThePrincipalOfARefusedTopic() {
        Exception refused = new ExecutionException(new TopicAuthorizationException(Set.of("orders", "audit")));

        assertThat(KafkaAccess.explain(refused, AclOperation.WRITE, "User:shop")).hasValue("not authorized: WRITE on"
                + " topic audit, topic orders (principal User:shop) - docs/security.md lists the ACLs each role needs");
    }

    @Test
    void namesTheGroupOfARefusedConsumer() {
        assertThat(KafkaAccess.explain(new GroupAuthorizationException("no", "pricing"), AclOperation.READ,
                "User:pricing")).hasValue("not authorized: READ on group pricing (principal User:pricing)"
                        + " - docs/security.md lists the ACLs each role needs");
    }

    @Test
    void saysWhoCouldNotLogIn() {
        assertThat(KafkaAccess.explain(new IllegalStateException(new SaslAuthenticationException("bad password")),
                AclOperation.READ, "User:shop")).hasValueSatisfying(text -> assertThat(text)
                        .startsWith("cannot log in to Kafka as User:shop: bad password - check kafka.sasl.jaas.config"));
    }

    @Test
    void leavesOtherFailuresAlone() {
        assertThat(KafkaAccess.explain(new TimeoutException("slow"), AclOperation.READ, "User:shop")).isEmpty();
    }
}
