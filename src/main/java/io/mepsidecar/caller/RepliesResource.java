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

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The reply resources of asynchronous calls: {@code GET} fetches the result (202 while pending, long-polled with
 * {@code Prefer: wait=N}), {@code DELETE} abandons the call or forgets its result.
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
        // Pending first: a call completing now is stored before it leaves the pending calls, so it is found in one.
        var call = replyResource(id);
        if (call.isPresent()) {
            return Preferences.parse(prefer).waitFor()
                    .map(wait -> invoker.awaitResult(call.get(), wait))
                    .orElseGet(() -> CompletableFuture.completedFuture(Invoker.pendingResponse(id)));
        }
        Reply result = results.find(id).orElseThrow(() -> unknown(id));
        return CompletableFuture.completedFuture(Invoker.replyResponse(result, id));
    }

    @DELETE
    @Path("{id}")
    public Response abandon(@PathParam("id") String id) {
        ReplyIds.require(id);
        boolean abandoned = replyResource(id).isPresent() && pendingCalls.abandon(id, new AbandonedException(id));
        // If the call completed meanwhile, its result was stored: forget it (a callback already sent stays sent).
        if (!abandoned && !results.remove(id)) {
            throw unknown(id);
        }
        return Response.noContent().header(AppHeaders.CORRELATION_ID, id).build();
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
