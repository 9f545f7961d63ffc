package io.mepsidecar.config;

import java.net.URI;

/** URLs on the local app: its base URL ({@code mep.app-url}) joined with a path. */
public final class AppUrls {

    private AppUrls() {
    }

    /** {@code http://127.0.0.1:8080/} and {@code /quotes} give {@code http://127.0.0.1:8080/quotes}. */
    public static String resolve(URI base, String path) {
        return base.toString().replaceAll("/+$", "") + path;
    }
}
