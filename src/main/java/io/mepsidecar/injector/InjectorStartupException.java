package io.mepsidecar.injector;

/** The injector cannot start; the message is the one line it prints before it exits with 1. */
public final class InjectorStartupException extends Exception {

    private static final long serialVersionUID = 1L;

    public InjectorStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
