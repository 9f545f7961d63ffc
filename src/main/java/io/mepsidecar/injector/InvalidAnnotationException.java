package io.mepsidecar.injector;

import java.util.List;

/** One or more {@code mep-sidecar.io/} annotations of a pod have values the injector cannot use. */
public final class InvalidAnnotationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public InvalidAnnotationException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One sentence per annotation, each naming the annotation and its value. */
    public List<String> problems() {
        return problems;
    }
}
