package io.mepsidecar.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The sidecar's own meters; labels come from the contract only, never from a correlation id. */
@ApplicationScoped
public class SidecarMetrics {

    /** Label value for a reply whose operation is not in this sidecar's contract. */
    public static final String UNKNOWN_OPERATION = "unknown";

    @Inject
    MeterRegistry registry;

    /** A reply arrived that no call waits for: late, abandoned, duplicated or not ours. */
    public void unmatchedReply(String operation) {
        Counter.builder("mep.caller.replies.unmatched")
                .description("Replies dropped because no call waits for them")
                .tag("operation", operation)
                .register(registry)
                .increment();
    }

    /** A request arrived whose deadline had already passed; it was not delivered to the app. */
    public void expiredRequest(String operation) {
        Counter.builder("mep.service.requests.expired")
                .description("Requests not delivered to the app because their deadline had passed")
                .tag("operation", operation)
                .register(registry)
                .increment();
    }
}
