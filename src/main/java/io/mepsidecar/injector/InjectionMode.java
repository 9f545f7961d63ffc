package io.mepsidecar.injector;

/**
 * How the sidecar joins the pod; the label is the {@code mode} of {@code mep_injector_injected_total}.
 * {@link #NATIVE}: an init container with {@code restartPolicy: Always} (Kubernetes 1.29+), started before and stopped
 * after the app's containers. {@link #PLAIN}: the first app container, held ahead of the app by a postStart hook.
 */
public enum InjectionMode {
    NATIVE("native"),
    PLAIN("plain");

    private final String label;

    InjectionMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
