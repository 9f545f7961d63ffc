package io.mepsidecar.caller;

import io.mepsidecar.contract.TraceContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The caller-side API: {@code POST /v1/invoke/{operation}} with any body and content type; {@code Prefer},
 * {@code Mep-Timeout} and {@code Mep-Callback} choose the style of the call; {@code Idempotency-Key} makes
 * retries join the first call. Its W3C trace context ({@code traceparent}, {@code tracestate}, {@code baggage}) goes
 * on with the request, checked ({@link TraceContext}).
 */
@Path("/v1/invoke")
public class InvokeResource {

    @Inject
    Invoker invoker;

    @POST
    @Path("{operation}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.WILDCARD)
    public CompletionStage<Response> invoke(@PathParam("operation") String operation,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam("Prefer") List<String> prefer,
            @HeaderParam(CallHeaders.TIMEOUT) String timeout,
            @HeaderParam(CallHeaders.CALLBACK) String callback,
            @HeaderParam(CallHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @Context HttpHeaders headers,
            byte[] body) {
        return invoker.invoke(operation, contentType, body == null ? new byte[0] : body, prefer, timeout, callback,
                idempotencyKey, TraceContext.fromHttp(headers::getRequestHeader));
    }
}
