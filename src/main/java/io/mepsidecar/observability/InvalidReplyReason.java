package io.mepsidecar.observability;

/** Why a reply could not be used as it came, as the {@code reason} label of {@code mep_caller_replies_invalid_total}. */
public enum InvalidReplyReason {
    /** {@code ce_status} is not a final HTTP status (200-599); the caller got a 502 {@code bad-reply}. */
    STATUS("status");

    private final String label;

    InvalidReplyReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
