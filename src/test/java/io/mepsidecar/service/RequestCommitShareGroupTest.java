package io.mepsidecar.service;

import io.mepsidecar.testing.KafkaTestResource;
import io.mepsidecar.testing.ShareGroupMode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link AbstractRequestCommitTest} on share groups. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(ShareGroupMode.class)
class RequestCommitShareGroupTest extends AbstractRequestCommitTest {
}
