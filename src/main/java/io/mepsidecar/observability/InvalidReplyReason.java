package io.mepsidecar.observability;

/** Why a reply was dropped instead of completing its call, as the {@code reason} label of {@code mep_caller_replies_invalid_total}. */
public enum InvalidReplyReason {
    /** {@code ce_status} is not a final HTTP status (200-599); the reply was dropped. */
    STATUS("status"),
    /**
     * {@code ce_type} is not {@code <operation>.reply} of the operation the call waits for (or, for a call this
     * replica does not know, of any operation of the contract); the reply was dropped.
     */
    TYPE("type");

    private final String label;

    InvalidReplyReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
