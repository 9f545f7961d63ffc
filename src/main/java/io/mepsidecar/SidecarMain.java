package io.mepsidecar;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The sidecar's entry point. It only hands over to Quarkus, after one setting that must precede the HTTP server:
 * the request URI is validated by the API's own filter ({@code HttpErrors}), which answers a problem, instead of
 * by the HTTP layer, which answers an empty 400.
 */
@QuarkusMain
public final class SidecarMain {

    private SidecarMain() {
    }

    public static void main(String... args) {
        System.setProperty("vertx.disableURIValidation", "true");
        Quarkus.run(args);
    }
}
