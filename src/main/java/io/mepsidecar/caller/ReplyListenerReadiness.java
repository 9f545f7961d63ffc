package io.mepsidecar.caller;

import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.Operation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once replies to new calls are sure to be read; until then request-reply calls are refused with 503. */
@Readiness
@ApplicationScoped
public class ReplyListenerReadiness implements HealthCheck {

    @Inject
    ReplyListener replyListener;

    @Inject
    Contract contract;

    @Override
    public HealthCheckResponse call() {
        boolean needed = contract.operations().stream().anyMatch(Operation::expectsReply);
        boolean ready = !needed || replyListener.isReady();
        var response = HealthCheckResponse.named("reply-listener").status(ready);
        if (!ready && !replyListener.isHealthy() && !replyListener.lastFailure().isEmpty()) {
            response.withData("error", replyListener.lastFailure());
        }
        return response.build();
    }
}
