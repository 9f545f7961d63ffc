package io.mepsidecar.observability;

/** How a call ended, as a metrics label (README: Metrics lists which role reports which). */
public enum Outcome {
    OK("ok"),
    FAULT_4XX("fault_4xx"),
    FAULT_5XX("fault_5xx"),
    TIMEOUT("timeout"),
    REJECTED("rejected"),
    UNAVAILABLE("unavailable"),
    ABANDONED("abandoned"),
    DEFERRED("deferred"),
    REPLAYED("replayed"),
    EXPIRED("expired"),
    UNDELIVERABLE("undeliverable"),
    HANDED_BACK("handed_back"),
    DEAD_LETTERED("dead_lettered"),
    REPLY_FAILED("reply_failed");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** ok, fault_4xx or fault_5xx by the HTTP status class. */
    public static Outcome ofStatus(int status) {
        if (status >= 500) {
            return FAULT_5XX;
        }
        return status >= 400 ? FAULT_4XX : OK;
    }
}
