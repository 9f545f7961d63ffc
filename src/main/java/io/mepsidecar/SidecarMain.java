package io.mepsidecar;

import io.mepsidecar.contract.ContractCommand;
import io.mepsidecar.injector.InjectorMain;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * The sidecar's entry point. It only hands over to Quarkus, after one setting that must precede the HTTP server:
 * the request URI is validated by the API's own filter ({@code HttpErrors}), which answers a problem, instead of
 * by the HTTP layer, which answers an empty 400.
 * <p>
 * {@code injector} as the first argument runs the sidecar injector instead, before anything of Quarkus starts;
 * {@code contract} runs the contract command ({@code contract export}: the contract as an AsyncAPI document).
 */
@QuarkusMain
public final class SidecarMain {

    private SidecarMain() {
    }

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("injector")) {
            InjectorMain.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("contract")) {
            ContractCommand.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.setProperty("vertx.disableURIValidation", "true");
        Quarkus.run(args);
    }
}
