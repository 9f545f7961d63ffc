package io.mepsidecar.error;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The REST layer's own refusals (a method the path does not allow, a body it cannot read) as problems, like every
 * other error of the API. A 405 names the methods the path allows in {@code Allow}.
 */
@Provider
public class WebProblemResponses implements ExceptionMapper<WebApplicationException> {

    @Context
    UriInfo uriInfo;

    @Override
    public Response toResponse(WebApplicationException exception) {
        Response original = exception.getResponse();
        int status = original == null ? 500 : original.getStatus();
        Response.ResponseBuilder response = Response.fromResponse(
                ProblemResponses.of(HttpErrors.ofStatus(status, exception)));
        if (status == 405) {
            response.header(HttpHeaders.ALLOW, HttpErrors.allowedMethods(uriInfo.getPath()));
        }
        return response.build();
    }
}
