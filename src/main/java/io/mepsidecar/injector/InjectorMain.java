package io.mepsidecar.injector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.logging.Logger;

/**
 * {@code java -jar quarkus-run.jar injector}: the sidecar injector, a mutating admission webhook. Runs without
 * Quarkus (no CDI, no Kafka); settings from the environment ({@link InjectorSettings}).
 */
public final class InjectorMain {

    private static final Logger LOG = Logger.getLogger(InjectorMain.class.getName());

    private InjectorMain() {
    }

    public static void main(String... args) {
        InjectorLogging.configure();
        try {
            InjectorServer server = start(System.getenv());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "injector-shutdown"));
        } catch (InjectorStartupException e) {
            System.err.println("mep-sidecar injector cannot start: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Reads settings from {@code env}, then config, certificate and key, then starts the servers. */
    public static InjectorServer start(Map<String, String> env) throws InjectorStartupException {
        try {
            return start(InjectorSettings.fromEnv(env));
        } catch (IllegalArgumentException e) {
            throw new InjectorStartupException(e.getMessage(), e);
        }
    }

    /** Reads config, certificate and key, then starts the servers. */
    public static InjectorServer start(InjectorSettings settings) throws InjectorStartupException {
        InjectorConfig config = readConfig(settings);
        ServerTls tls;
        try {
            tls = new ServerTls(settings.certFile(), settings.keyFile());
        } catch (IOException e) {
            throw new InjectorStartupException(e.getMessage(), e);
        }
        try {
            InjectorServer server = InjectorServer.start(settings, config, tls);
            LOG.info(() -> "injector listening: HTTPS :" + server.port() + "/mutate, management :"
                    + server.managementPort() + "; mode " + (config.nativeSidecar() ? "native" : "plain")
                    + " sidecar, image " + config.image() + ", certificate serial "
                    + tls.certificate().getSerialNumber().toString(16));
            return server;
        } catch (IOException e) {
            throw new InjectorStartupException("cannot listen on port " + settings.port() + " or "
                    + settings.managementPort() + ": " + e.getMessage(), e);
        }
    }

    private static InjectorConfig readConfig(InjectorSettings settings) throws InjectorStartupException {
        String text;
        try {
            text = Files.readString(settings.configFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InjectorStartupException("cannot read config " + settings.configFile() + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        try {
            return InjectorConfigReader.read(text);
        } catch (IllegalArgumentException e) {
            throw new InjectorStartupException("config " + settings.configFile() + ": " + e.getMessage(), e);
        }
    }
}
