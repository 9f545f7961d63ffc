package io.mepsidecar.contract;

/** A contract file or a reference to it that cannot be used; the message says what to fix. */
public class ContractException extends RuntimeException {

    public ContractException(String message) {
        super(message);
    }

    public ContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
