package io.mepsidecar.injector;

/** Why a pod was left as it came; the label is the {@code reason} of {@code mep_injector_skipped_total}. */
public enum SkipReason {
    NOT_REQUESTED("not-requested"),
    ALREADY_INJECTED("already-injected"),
    NO_APP_NAME("no-app-name"),
    INVALID_ANNOTATION("invalid-annotation"),
    /** The pod already has a volume of a name the sidecar needs: the API server would refuse the patched pod. */
    NAME_CONFLICT("name-conflict"),
    BAD_REQUEST("bad-request");

    private final String label;

    SkipReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
