package io.mepsidecar.observability;

/** The role of a sidecar in a call, as a metrics label. */
public enum Role {
    CALLER("caller"),
    SERVICE("service");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
