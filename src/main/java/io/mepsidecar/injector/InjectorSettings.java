package io.mepsidecar.injector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where the injector reads its files and listens, from the environment.
 *
 * @param bindAddress where both servers listen: {@code MEP_INJECTOR_HOST}, all interfaces by default (in a pod);
 *        127.0.0.1 in tests
 * @param port HTTPS port of {@code POST /mutate}; 0 picks a free one
 * @param managementPort plain-HTTP port of {@code /livez}, {@code /readyz}, {@code /metrics}; 0 picks a free one
 * @param reloadInterval how often the certificate files are checked for a new certificate
 */
public record InjectorSettings(String bindAddress, int port, int managementPort, Path configFile, Path certFile,
        Path keyFile, Duration reloadInterval) {

    public static final Duration RELOAD_INTERVAL = Duration.ofSeconds(10);

    /** @throws IllegalArgumentException naming the variable whose value is not usable */
    public static InjectorSettings fromEnv(Map<String, String> env) {
        return new InjectorSettings(env.getOrDefault("MEP_INJECTOR_HOST", "0.0.0.0"),
                port(env, "MEP_INJECTOR_PORT", "8443"),
                port(env, "MEP_INJECTOR_MANAGEMENT_PORT", "9000"),
                Path.of(env.getOrDefault("MEP_INJECTOR_CONFIG", "/etc/mep-injector/config.yaml")),
                Path.of(env.getOrDefault("MEP_INJECTOR_TLS_CERT", "/etc/mep-injector/tls/tls.crt")),
                Path.of(env.getOrDefault("MEP_INJECTOR_TLS_KEY", "/etc/mep-injector/tls/tls.key")),
                RELOAD_INTERVAL);
    }

    public InjectorSettings withBindAddress(String address) {
        return new InjectorSettings(address, port, managementPort, configFile, certFile, keyFile, reloadInterval);
    }

    public InjectorSettings withPorts(int webhookPort, int managementPort) {
        return new InjectorSettings(bindAddress, webhookPort, managementPort, configFile, certFile, keyFile,
                reloadInterval);
    }

    private static int port(Map<String, String> env, String name, String fallback) {
        String text = env.getOrDefault(name, fallback);
        try {
            return ValueChecks.port(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " '" + text + "': " + e.getMessage(), e);
        }
    }
}
