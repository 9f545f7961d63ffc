package io.mepsidecar.service;

import io.mepsidecar.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link AbstractBoundsTest} on consumer groups. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(AbstractBoundsTest.SmallBounds.class)
class BoundsTest extends AbstractBoundsTest {
}
