package io.mepsidecar.testing;

import io.mepsidecar.caller.ReplyListener;
import io.mepsidecar.config.ServedOperations;
import io.mepsidecar.service.ServiceConsumption;
import io.mepsidecar.state.StateStore;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import org.awaitility.Awaitility;

import java.time.Duration;

/**
 * Before each {@code @QuarkusTest} method: waits until the sidecar under test read its state topic, joined its reply
 * group and its request consumers polled, as a pod waits for readiness before traffic comes. Test classes annotated
 * {@link NotReadyOnPurpose} test a sidecar that cannot get there, and are not held up.
 */
public class AwaitReadyCallback implements QuarkusTestBeforeEachCallback {

    private static final Duration MOST = Duration.ofSeconds(60);

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (context.getTestInstance().getClass().isAnnotationPresent(NotReadyOnPurpose.class)) {
            return;
        }
        StateStore state = Arc.container().instance(StateStore.class).get();
        ReplyListener replies = Arc.container().instance(ReplyListener.class).get();
        ServiceConsumption service = Arc.container().instance(ServiceConsumption.class).get();
        boolean serves = !Arc.container().instance(ServedOperations.class).get().isEmpty();
        Awaitility.await("the sidecar under test is ready").atMost(MOST)
                .until(() -> state.isRebuilt() && replies.isReady() && (!serves || service.isHealthy()));
    }
}
