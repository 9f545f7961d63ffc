package io.mepsidecar.caller;

/** The caller gave up on an asynchronous call with {@code DELETE /v1/replies/{id}}. */
public class AbandonedException extends RuntimeException {

    public AbandonedException(String correlationId) {
        super("call " + correlationId + " was abandoned by its caller", null, false, false);
    }
}
