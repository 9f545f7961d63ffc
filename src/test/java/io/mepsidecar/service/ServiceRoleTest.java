package io.mepsidecar.service;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Base of the service-role tests whose assertions differ by consumption mode: each runs once on consumer groups
 * ({@code *Test}) and once on share groups ({@code *ShareGroupTest}).
 */
abstract class ServiceRoleTest {

    @ConfigProperty(name = "mep.service.consumption")
    String consumption;

    /** True when this class runs the tests on share groups, false on consumer groups. */
    boolean shareGroup() {
        return "share-group".equals(consumption);
    }
}
