package io.mepsidecar.injector;

/** Why a pod was left as it came; the label is the {@code reason} of {@code mep_injector_skipped_total}. */
public enum SkipReason {
    NOT_REQUESTED("not-requested"),
    ALREADY_INJECTED("already-injected"),
    NO_APP_NAME("no-app-name"),
    INVALID_ANNOTATION("invalid-annotation"),
    BAD_REQUEST("bad-request");

    private final String label;

    SkipReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
