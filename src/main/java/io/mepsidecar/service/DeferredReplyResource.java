package io.mepsidecar.service;

import io.mepsidecar.contract.AppHeaders;
import io.mepsidecar.contract.TraceContext;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.ReplyIds;
import io.mepsidecar.error.SidecarException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.CompletionStage;

/**
 * The serving app's late answer to a request it accepted with 202: {@code PUT /v1/replies/{id}} with the reply as
 * body and {@code Content-Type}, and its status in {@code Mep-Status} (default 200). A {@code traceparent} (with
 * {@code tracestate}) on the PUT that continues the request's trace goes on the reply record, as it does on a
 * synchronous answer; without one, or of another trace, the request's goes. The PUT's {@code baggage} goes either
 * way.
 */
@Path("/v1/replies")
public class DeferredReplyResource {

    /** Request header of the PUT: the status of the reply. */
    public static final String STATUS = "Mep-Status";

    @Inject
    DeferredReplies deferredReplies;

    @PUT
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> reply(@PathParam("id") String id,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(STATUS) String status, @Context HttpHeaders headers, byte[] body) {
        ReplyIds.require(id);
        return deferredReplies.complete(id, status(status, id), contentType, body == null ? new byte[0] : body,
                TraceContext.fromHttp(headers::getRequestHeader))
                .thenApply(done -> Response.noContent().header(AppHeaders.CORRELATION_ID, id).build());
    }

    private static int status(String header, String id) {
        if (header == null || header.isBlank()) {
            return 200;
        }
        try {
            int status = Integer.parseInt(header.trim());
            if (status >= 200 && status <= 599 && status != 202) {
                return status;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SidecarException(ProblemType.BAD_REQUEST, STATUS + " must be an HTTP status from 200 to 599"
                + " other than 202; got '" + header + "'", id);
    }
}
