package io.mepsidecar.error;

/** A failure of a call that the caller sees as a problem response. */
public class SidecarException extends RuntimeException {

    private final transient Problem problem;

    public SidecarException(ProblemType type, String detail, String correlationId) {
        super(detail);
        this.problem = Problem.of(type, detail, correlationId);
    }

    public Problem problem() {
        return problem;
    }
}
