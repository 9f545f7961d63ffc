package io.mepsidecar.error;

import io.mepsidecar.contract.CorrelationIds;

/** The {@code {id}} of {@code /v1/replies/{id}}: one that cannot be a correlation id is unknown, and not echoed. */
public final class ReplyIds {

    private ReplyIds() {
    }

    /** The id itself when it can be a correlation id; otherwise a 404 {@code unknown-reply} problem without it. */
    public static String require(String id) {
        if (!CorrelationIds.isValid(id)) {
            throw new SidecarException(ProblemType.UNKNOWN_REPLY, "the reply id is not a correlation id ("
                    + CorrelationIds.RULE + "), so no call or request has it", null);
        }
        return id;
    }
}
