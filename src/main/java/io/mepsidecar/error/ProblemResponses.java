package io.mepsidecar.error;

import io.mepsidecar.contract.AppHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;


/** The one place that turns failures into HTTP problem responses. */
@Provider
public class ProblemResponses implements ExceptionMapper<SidecarException> {

    private static final Logger LOG = Logger.getLogger(ProblemResponses.class);
    /** Retry-After of 429 and 503 problems: both pass within moments or not at all. */
    private static final String RETRY_AFTER_SECONDS = "1";

    @Override
    public Response toResponse(SidecarException exception) {
        return of(exception.problem());
    }

    public static Response of(Problem problem) {
        Response.ResponseBuilder response = Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.toJson());
        if (problem.correlationId() != null) {
            response.header(AppHeaders.CORRELATION_ID, problem.correlationId());
        }
        if (problem.status() == 429 || problem.status() == 503) {
            response.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    /** Maps a failed call to its problem response; anything unexpected is a logged 500. */
    public static Response of(Throwable failure, String correlationId) {
        Throwable cause = Failures.unwrap(failure);
        if (cause instanceof SidecarException) {
            return of(((SidecarException) cause).problem());
        }
        LOG.errorf(cause, "call %s failed unexpectedly", correlationId);
        return of(Problem.of(ProblemType.INTERNAL, "unexpected error; the sidecar's log has it under this"
                + " correlation id", correlationId));
    }
}
