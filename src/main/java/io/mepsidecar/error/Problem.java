package io.mepsidecar.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mepsidecar.contract.CorrelationIds;

import java.nio.charset.StandardCharsets;

/**
 * An RFC 9457 problem detail, the one error body of the sidecar.
 *
 * @param correlationId the call it is about; absent only when no call was started
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String correlationId) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A problem about the given call; an id that is not a valid correlation id is left out, never echoed. */
    public static Problem of(ProblemType type, String detail, String correlationId) {
        return new Problem(type.uri(), type.title(), type.status(), detail,
                CorrelationIds.isValid(correlationId) ? correlationId : null);
    }

    /**
     * A problem with no meaning beyond its HTTP status (RFC 9457 {@code about:blank}); for statuses of the HTTP layer
     * that no {@link ProblemType} names.
     */
    public static Problem ofStatus(int status, String reasonPhrase) {
        return new Problem("about:blank", reasonPhrase, status, reasonPhrase, null);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsString(this).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem record is always serialisable", e);
        }
    }
}
