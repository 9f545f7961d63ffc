package io.mepsidecar.caller;

import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.ReplyIds;
import io.mepsidecar.error.SidecarException;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.mepsidecar.error.Problem;
import io.mepsidecar.error.ProblemResponses;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The reply resources of asynchronous calls: {@code GET} fetches the result (202 while pending, long-polled with
 * {@code Prefer: wait=N}), {@code DELETE} abandons the call or forgets its result. Any replica of the app answers
 * for the calls of all of them (their state is in the app's state topic).
 */
@Path("/v1/replies")
public class RepliesResource {

    @Inject
    PendingCalls pendingCalls;

    @Inject
    CallResults results;

    @Inject
    Invoker invoker;

    @GET
    @Path("{id}")
    @Produces(MediaType.WILDCARD)
    public CompletionStage<Response> fetch(@PathParam("id") String id, @HeaderParam("Prefer") List<String> prefer) {
        ReplyIds.require(id);
        Optional<Duration> wait = Preferences.parse(prefer).waitFor();
        // Pending here first: a call completing now is stored before it leaves the pending calls, so it is found.
        var call = replyResource(id);
        if (call.isPresent()) {
            return wait.map(w -> invoker.awaitResult(call.get(), w))
                    .orElseGet(() -> CompletableFuture.completedFuture(Invoker.pendingResponse(id)));
        }
        CallResults.Entry entry = results.find(id).orElseThrow(() -> unknown(id));
        if (entry instanceof CallResults.Completed completed) {
            return CompletableFuture.completedFuture(Invoker.replyResponse(completed.reply(), id));
        }
        CallResults.Accepted accepted = (CallResults.Accepted) entry;
        if (!Instant.now().isBefore(accepted.deadline())) {
            // accepted by a replica that is gone, and no reply came before the deadline
            return CompletableFuture.completedFuture(ProblemResponses.of(Problem.of(ProblemType.REPLY_TIMEOUT,
                    "no reply to operation '" + accepted.operation() + "' before " + accepted.deadline(), id)));
        }
        // accepted by another replica (or by this one before a restart): its result comes through the state topic
        return wait.map(w -> invoker.awaitStoredResult(id, w))
                .orElseGet(() -> CompletableFuture.completedFuture(Invoker.pendingResponse(id)));
    }

    @DELETE
    @Path("{id}")
    public CompletionStage<Response> abandon(@PathParam("id") String id) {
        ReplyIds.require(id);
        if (replyResource(id).isPresent()) {
            pendingCalls.abandon(id, new AbandonedException(id));
        }
        // Forgotten by every replica; a callback already sent stays sent.
        return results.remove(id).orElseThrow(() -> unknown(id))
                .thenApply(done -> Response.noContent().header(AppHeaders.CORRELATION_ID, id).build());
    }

    /** A pending call that was answered 202; one still undecided (within its wait) has no reply resource yet. */
    private java.util.Optional<PendingCall> replyResource(String id) {
        return pendingCalls.find(id).filter(PendingCall::wasAnsweredAsynchronously);
    }

    private static SidecarException unknown(String id) {
        return new SidecarException(ProblemType.UNKNOWN_REPLY, "no asynchronous call " + id
                + " is pending, and no result for it is kept (results expire after mep.caller.result-ttl)", id);
    }
}
