package io.mepsidecar.kube;

/** The API server answered a request with a status other than 2xx; carries the status and the body (a Status). */
public final class KubeApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String body;

    public KubeApiException(String method, String path, int status, String body) {
        super(method + " " + path + " answered " + status + ": " + body);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public String body() {
        return body;
    }
}
