package io.mepsidecar.caller;

import io.mepsidecar.error.Failures;
import io.mepsidecar.error.Problem;
import io.mepsidecar.error.ProblemResponses;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import io.mepsidecar.observability.Outcome;
import io.mepsidecar.observability.Role;
import io.mepsidecar.observability.SidecarMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * What happens when a call's outcome is known: a call not yet answered gets its result in the HTTP response; an
 * asynchronous call already answered with 202 has its result stored for {@code GET} and sent to its callback.
 * Runs before the call leaves {@link PendingCalls}, so a {@code GET} never finds it in neither place.
 */
@ApplicationScoped
public class CallCompletion {

    private static final Logger LOG = Logger.getLogger(CallCompletion.class);

    @Inject
    CallResults results;

    @Inject
    CallbackSender callbacks;

    @Inject
    SidecarMetrics metrics;

    void completed(PendingCall call, Reply reply, Throwable error) {
        record(call, reply, error);
        try {
            settle(call, reply, error);
        } catch (Throwable e) { // an Error too: a call whose completion failed must still be answered (500)
            LOG.errorf(e, "call %s could not be completed", call.correlationId());
            call.response().completeExceptionally(e);
        }
    }

    private void settle(PendingCall call, Reply reply, Throwable error) {
        if (error != null && Failures.unwrap(error) instanceof AbandonedException) {
            return;
        }
        Problem problem = error == null ? null : problemOf(call, error);
        if (Failures.unwrap(error) instanceof TimeoutException) {
            LOG.infof("call %s to %s got no reply before its deadline %s", call.correlationId(),
                    call.operation().name(), call.deadline());
        }
        Reply result = problem == null ? reply : asReply(problem);
        if (call.answerSynchronously()) {
            call.response().complete(problem == null ? Invoker.replyResponse(result, call.correlationId(),
                    call.hops()) : ProblemResponses.of(problem));
            if (call.isIdempotent()) {
                if (!call.completedFromState()) { // kept for retries with the same Idempotency-Key
                    call.storing(results.store(call.correlationId(), result, true));
                }
            } else if (call.completedFromState()) {
                results.remove(call.correlationId()); // a reply passed on by another replica: no longer needed
            }
            return;
        }
        if (!call.completedFromState()) {
            call.storing(results.store(call.correlationId(), result, true));
        }
        if (!call.callbackTakenElsewhere()) {
            call.callback().ifPresent(path -> callbacks.deliver(call.correlationId(), call.operation().name(), path,
                    result));
        }
    }

    private void record(PendingCall call, Reply reply, Throwable error) {
        Duration elapsed = call.elapsed();
        String operation = call.operation().name();
        metrics.callEnded(Role.CALLER, operation, outcomeOf(reply, error), elapsed);
        if (reply != null && reply.appDuration() != null && elapsed.compareTo(reply.appDuration()) > 0) {
            metrics.brokerTime(operation, elapsed.minus(reply.appDuration()));
        }
    }

    private static Outcome outcomeOf(Reply reply, Throwable error) {
        if (error == null) {
            return Outcome.ofStatus(reply.status());
        }
        Throwable cause = Failures.unwrap(error);
        if (cause instanceof TimeoutException) {
            return Outcome.TIMEOUT;
        }
        if (cause instanceof AbandonedException) {
            return Outcome.ABANDONED;
        }
        if (cause instanceof SidecarException) {
            int status = ((SidecarException) cause).problem().status();
            return status == 503 ? Outcome.UNAVAILABLE : Outcome.ofStatus(status);
        }
        return Outcome.FAULT_5XX;
    }

    /** The result a caller sees: the reply, or a problem in its place; null for an abandoned call. */
    static Reply resultOf(PendingCall call, Reply reply, Throwable error) {
        if (error == null) {
            return reply;
        }
        if (Failures.unwrap(error) instanceof AbandonedException) {
            return null;
        }
        return asReply(problemOf(call, error));
    }

    private static Reply asReply(Problem problem) {
        return new Reply(problem.status(), Problem.MEDIA_TYPE, problem.toJson());
    }

    private static Problem problemOf(PendingCall call, Throwable error) {
        Throwable cause = Failures.unwrap(error);
        if (cause instanceof TimeoutException) {
            return Problem.of(ProblemType.REPLY_TIMEOUT, "no reply to operation '" + call.operation().name()
                    + "' within " + call.options().timeout().toMillis() + " ms", call.correlationId());
        }
        if (cause instanceof SidecarException) {
            return ((SidecarException) cause).problem();
        }
        LOG.errorf(cause, "call %s failed unexpectedly", call.correlationId());
        return Problem.of(ProblemType.INTERNAL, "unexpected error; the sidecar's log has it under this correlation id",
                call.correlationId());
    }

}
