package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up from the environment: one clear sentence for each file that is missing or unusable. */
class InjectorMainTest {

    @TempDir
    static Path dir;
    static TestCertificates.Issued issued;

    @BeforeAll
    static void makeCertificate() {
        issued = new TestCertificates(dir).issue("main", 7, TestCertificates.KeyFormat.PKCS1);
    }

    @Test
    void startsFromTheEnvironmentWithAPkcs1Key() throws Exception {
        try (InjectorServer server = InjectorMain.start(
                InjectorSettings.fromEnv(env()).withBindAddress("127.0.0.1").withPorts(0, 0))) {
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.managementPort() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(ready.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void missingConfigIsNamed() {
        Map<String, String> env = env();
        env.put("MEP_INJECTOR_CONFIG", dir.resolve("absent.yaml").toString());

        assertThatThrownBy(() -> InjectorMain.start(InjectorSettings.fromEnv(env)))
                .isInstanceOf(InjectorStartupException.class)
                .hasMessage("cannot read config " + dir.resolve("absent.yaml") + " (NoSuchFileException)");
    }

    @Test
    void invalidConfigIsNamedWithItsProblem() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "image: i\nappPort: http\n");
        Map<String, String> env = env();
        env.put("MEP_INJECTOR_CONFIG", config.toString());

        assertThatThrownBy(() -> InjectorMain.start(InjectorSettings.fromEnv(env)))
                .hasMessage("config " + config + ": appPort 'http': expected a port from 1 to 65535");
    }

    @Test
    void missingCertificateIsNamed() {
        Map<String, String> env = env();
        env.put("MEP_INJECTOR_TLS_CERT", dir.resolve("absent.crt").toString());

        assertThatThrownBy(() -> InjectorMain.start(InjectorSettings.fromEnv(env)))
                .hasMessageStartingWith("cannot read " + dir.resolve("absent.crt"));
    }

    @Test
    void keyOfAnotherCertificateIsRefused() {
        Map<String, String> env = env();
        env.put("MEP_INJECTOR_TLS_KEY", dir.resolve("ca.key").toString());

        assertThatThrownBy(() -> InjectorMain.start(InjectorSettings.fromEnv(env)))
                .hasMessageContaining("does not belong to certificate");
    }

    @Test
    void portThatIsNotANumberIsNamed() {
        Map<String, String> env = env();
        env.put("MEP_INJECTOR_PORT", "https");

        assertThatThrownBy(() -> InjectorMain.start(env))
                .hasMessage("MEP_INJECTOR_PORT 'https': expected a port from 1 to 65535");
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("MEP_INJECTOR_CONFIG", GoldenFiles.ROOT.resolve("config.yaml").toString());
        env.put("MEP_INJECTOR_TLS_CERT", issued.cert().toString());
        env.put("MEP_INJECTOR_TLS_KEY", issued.key().toString());
        return env;
    }
}
