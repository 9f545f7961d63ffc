package io.mepsidecar.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.HashMap;
import java.util.Map;

/**
 * The service role on Kafka share groups: the {@code *ShareGroupTest} classes run the service-role tests of their
 * base class with this profile, the other classes on consumer groups. Profiles of their own extend it.
 */
public class ShareGroupMode implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(overrides());
        overrides.put("mep.service.consumption", "share-group");
        return overrides;
    }

    /** What a profile extending this one changes besides the consumption mode. */
    protected Map<String, String> overrides() {
        return Map.of();
    }
}
